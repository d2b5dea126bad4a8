// Screen 4: move-in and move-out queues, each move with its readings and photos, and the staff's
// decisions (support reads; staff and administrators decide; the API refuses on its own too).
import { Resource } from 'react-admin';
import LoginIcon from '@mui/icons-material/Login';
import LogoutIcon from '@mui/icons-material/Logout';
import messages from './messages.js';
import { MoveInList, MoveInShow } from './MoveInViews.jsx';
import { MoveOutList, MoveOutShow } from './MoveOutViews.jsx';

export default {
    name: 'moves',
    messages,
    resources: (permissions) =>
        permissions?.kind === 'organisation'
            ? [
                  <Resource key="move-ins" name="move-ins" list={MoveInList} show={MoveInShow} icon={LoginIcon} recordRepresentation="reference" />,
                  <Resource key="move-outs" name="move-outs" list={MoveOutList} show={MoveOutShow} icon={LogoutIcon} recordRepresentation="reference" />,
              ]
            : [],
};
