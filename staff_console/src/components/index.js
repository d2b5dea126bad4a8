export { default as Layout } from './Layout.jsx';
export { default as ConfirmButton } from './ConfirmButton.jsx';
export { default as ActionButton, useAction } from './ActionButton.jsx';
export { ConsoleContext, useConsole } from './ConsoleContext.jsx';
