/** The event the control plane publishes after writing a configuration version (`{ version }`). */
export const CONFIG_CHANGED = 'config.changed';
