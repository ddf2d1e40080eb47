/**
 * @module @ferry/ui
 * React views shared by the web console, the desktop app and the Outlook
 * pane. Browser-only (DOM), never Node built-ins.
 */
export { ConsoleApp, type ConsoleAppProps } from './console-app.js';
export { describeError } from './api/describe-error.js';
