// Screen 2: messages on the resident portal's pages. Administrators and staff add and change them;
// support members read them (the API refuses their writes anyway).
import { Resource } from 'react-admin';
import AnnouncementIcon from '@mui/icons-material/Announcement';
import messages from './messages.js';
import { RESOURCE_OPTIONS } from './helpers.js';
import { MessageCreate, MessageEdit, MessageList, RESOURCE } from './MessageViews.jsx';

export function canWriteContent(permissions) {
    return permissions?.kind === 'organisation' && ['admin', 'staff'].includes(permissions?.role);
}

export default {
    name: 'messages',
    messages,
    resourceOptions: RESOURCE_OPTIONS,
    resources: (permissions) => {
        if (permissions?.kind !== 'organisation') return [];
        const canWrite = canWriteContent(permissions);
        return [
            <Resource
                key={RESOURCE}
                name={RESOURCE}
                list={<MessageList canWrite={canWrite} />}
                create={canWrite ? MessageCreate : undefined}
                edit={canWrite ? MessageEdit : undefined}
                icon={AnnouncementIcon}
            />,
        ];
    },
};
