// The screens of each host kind. Adding a screen = one folder (src/screens/<name>/index.jsx, see
// docs/staff-console.md) + one line here.
import staff from './staff/index.jsx';
import customers from './customers/index.jsx';
import operators from './operators/index.jsx';
import preferences from './preferences/index.jsx';
import messages from './messages/index.jsx';
import help from './help/index.jsx';
import moves from './moves/index.jsx';
import consumption from './consumption/index.jsx';
import accountDeletions from './account_deletions/index.jsx';

export const organisationScreens = [customers, staff, preferences, messages, help, moves, consumption, accountDeletions];

export const platformScreens = [operators];
