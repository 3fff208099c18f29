/** What the browser page needs to know. */
export interface LoggerPageOptions {
  /** Shown in the title, e.g. `connector-loki`. */
  title: string;
  /** Tenant scope, or `undefined` for all tenants. */
  tenant: string | undefined;
  /** CSP nonce for the inline style and script. */
  nonce: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
:root{color-scheme:dark;--bg:#0f1419;--panel:#171d24;--line:#232b35;--fg:#d6dde6;--dim:#7d8a99;
--debug:#7aa2f7;--info:#73c991;--warn:#e0af68;--error:#f7768e;--fatal:#ff5fd2}
*{box-sizing:border-box}html,body{height:100%;margin:0}
body{background:var(--bg);color:var(--fg);font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;display:flex;flex-direction:column}
header{display:flex;flex-wrap:wrap;gap:10px;align-items:center;padding:8px 12px;background:var(--panel);border-bottom:1px solid var(--line)}
h1{font-size:14px;margin:0 6px 0 0;font-weight:600}
.pill{padding:2px 8px;border-radius:10px;background:#243040;color:#9ecbff}
.status{display:flex;align-items:center;gap:6px;color:var(--dim)}
.dot{width:9px;height:9px;border-radius:50%;background:var(--warn)}
.dot.live{background:var(--info)}.dot.down{background:var(--error)}
label{color:var(--dim);display:flex;align-items:center;gap:4px}
select,input[type=search],button{background:#0f1419;color:var(--fg);border:1px solid var(--line);border-radius:4px;padding:3px 6px;font:inherit}
button{cursor:pointer}.spacer{flex:1}.counts{color:var(--dim)}
#log{flex:1;overflow:auto;padding:4px 0}
.row{display:grid;grid-template-columns:104px 52px 170px 1fr;gap:8px;padding:1px 12px;border-left:3px solid transparent;white-space:pre-wrap;word-break:break-word;cursor:pointer}
.row:hover{background:#1b222b}.row[hidden]{display:none}
.t{color:var(--dim);white-space:nowrap}.who{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.lv{font-weight:700;text-transform:uppercase}
.tn{color:#9ecbff}.rq{color:var(--dim)}.x{color:var(--dim)}
.row.debug{border-color:var(--debug)}.row.debug .lv{color:var(--debug)}
.row.info{border-color:var(--info)}.row.info .lv{color:var(--info)}
.row.warn{border-color:var(--warn)}.row.warn .lv{color:var(--warn)}
.row.error{border-color:var(--error);background:#2a1820}.row.error .lv{color:var(--error)}
.row.fatal{border-color:var(--fatal)}.row.fatal .lv{color:var(--fatal)}
.full{grid-column:1/-1;color:var(--fg);background:#10161d;border:1px solid var(--line);padding:6px;margin:2px 0}
.notice{padding:2px 12px;color:var(--warn);font-style:italic}
.empty{padding:24px 12px;color:var(--dim)}`;

// Runs in the browser. Log data is only ever inserted with textContent, so a
// logged `<script>` stays text.
const SCRIPT = `
(function(){
var ORDER={trace:10,debug:20,info:30,warn:40,error:50,fatal:60};
var NUM={10:'trace',20:'debug',30:'info',40:'warn',50:'error',60:'fatal'};
var MAX=5000,shown=0,dropped=0;
var log=document.getElementById('log'),dot=document.getElementById('dot'),st=document.getElementById('st');
var lvl=document.getElementById('lvl'),q=document.getElementById('q'),auto=document.getElementById('auto');
var counts=document.getElementById('counts'),empty=document.getElementById('empty');
function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!=null)e.textContent=text;return e}
function visible(row){return ORDER[row.dataset.level]>=ORDER[lvl.value]&&(!q.value||row.dataset.text.indexOf(q.value.toLowerCase())>=0)}
function refilter(){var rows=log.querySelectorAll('.row');for(var i=0;i<rows.length;i++)rows[i].hidden=!visible(rows[i])}
function updateCounts(){counts.textContent=shown+' lines'+(dropped?' \\u00b7 '+dropped+' dropped':'')}
function atBottom(){return log.scrollHeight-log.scrollTop-log.clientHeight<30}
function add(node){if(empty){empty.remove();empty=null}log.appendChild(node);while(log.childElementCount>MAX)log.firstElementChild.remove();if(auto.checked)log.scrollTop=log.scrollHeight}
function onLog(ev){var r;try{r=JSON.parse(ev.data)}catch(e){r={msg:ev.data}}
var level=typeof r.level==='number'?(NUM[r.level]||'info'):String(r.level||'info');
var row=el('div','row '+level);row.dataset.level=level;row.dataset.text=ev.data.toLowerCase();
var t=typeof r.time==='string'?r.time.slice(11,23):new Date(r.time||Date.now()).toISOString().slice(11,23);
row.appendChild(el('span','t',t));row.appendChild(el('span','lv',level));
var who=el('span','who');if(r.tenant!=null)who.appendChild(el('span','tn','['+r.tenant+'] '));if(r.reqId)who.appendChild(el('span','rq','('+r.reqId+')'));row.appendChild(who);
var skip=['time','level','msg','tenant','reqId','pid','hostname','name'];
if(r.kind==='request')skip=skip.concat(['kind','method','path','status','durationMs']);
var rest={};for(var k in r)if(skip.indexOf(k)<0)rest[k]=r[k];
if(rest.err&&typeof rest.err==='object'){var er=rest.err;rest.err=(er.type?er.type+': ':'')+(er.message||'')}
var m=el('span','m',r.msg!=null?String(r.msg):'');var extra=JSON.stringify(rest);
if(extra!=='{}')m.appendChild(el('span','x','  '+(extra.length>300?extra.slice(0,300)+'\\u2026':extra)));row.appendChild(m);
row.addEventListener('click',function(){var f=row.querySelector('.full');if(f){f.remove();return}row.appendChild(el('pre','full',JSON.stringify(r,null,2)))});
row.hidden=!visible(row);shown++;updateCounts();add(row)}
function connect(){var es=new EventSource(location.pathname+location.search);
es.addEventListener('open',function(){dot.className='dot live';st.textContent='live'});
es.addEventListener('error',function(){dot.className='dot down';st.textContent='reconnecting\\u2026'});
es.addEventListener('log',onLog);
es.addEventListener('dropped',function(ev){var d={};try{d=JSON.parse(ev.data)}catch(e){}dropped+=d.dropped||0;updateCounts();
add(el('div','notice',(d.dropped||0)+' lines were dropped because this page could not keep up'))})}
lvl.addEventListener('change',refilter);q.addEventListener('input',refilter);
document.getElementById('clear').addEventListener('click',function(){log.textContent='';shown=0;dropped=0;updateCounts()});
log.addEventListener('scroll',function(){auto.checked=atBottom()});
connect();
})();`;

/**
 * The self-contained live log page served to browsers at `/logger`: no external
 * assets, inline style and script allowed by a per-response CSP nonce, lines
 * coloured by level, tenant scope shown, client-side level/text filters and
 * auto-scroll that pauses while you scroll back.
 *
 * @param options - title, tenant scope and nonce
 * @returns the HTML document
 */
export function renderLoggerPage(options: LoggerPageOptions): string {
  const title = escapeHtml(options.title);
  const scope = options.tenant === undefined ? 'all tenants' : `tenant: ${escapeHtml(options.tenant)}`;
  const nonce = escapeHtml(options.nonce);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} \u2014 live log</title><style nonce="${nonce}">${STYLE}</style></head>
<body>
<header>
<h1>${title} \u2014 live log</h1><span class="pill" id="scope">${scope}</span>
<span class="status"><span class="dot" id="dot"></span><span id="st">connecting\u2026</span></span>
<span class="spacer"></span>
<label>level <select id="lvl"><option value="debug">debug</option><option value="info">info</option><option value="warn">warn</option><option value="error">error</option></select></label>
<label>filter <input id="q" type="search" placeholder="text, reqId, tenant\u2026"></label>
<label><input id="auto" type="checkbox" checked> auto-scroll</label>
<button id="clear" type="button">clear</button>
<span class="counts" id="counts">0 lines</span>
</header>
<main id="log"><div class="empty" id="empty">Waiting for log lines\u2026</div></main>
<script nonce="${nonce}">${SCRIPT}</script>
</body></html>
`;
}
