export { default as Layout } from './Layout.jsx';
export { default as ConfirmButton } from './ConfirmButton.jsx';
export { default as ActionButton, useAction } from './ActionButton.jsx';
export { ConsoleContext, useConsole } from './ConsoleContext.jsx';
export { default as ReasonButton } from './ReasonButton.jsx';
export { default as StatusChip } from './StatusChip.jsx';
export { mayDecide, useMayDecide } from './permissions.js';
