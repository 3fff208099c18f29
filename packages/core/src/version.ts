/** Version of the Connector contract implemented by this core (its package version). */
export const CORE_VERSION = '0.1.0';
