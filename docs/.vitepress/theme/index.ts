// The default theme with the site's own CSS (tables that fit the text column).
import DefaultTheme from 'vitepress/theme';
import './custom.css';

export default DefaultTheme;
