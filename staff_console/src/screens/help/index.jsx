// Screen 5: help requests (every staff member answers them) and the FAQ editor (administrators and
// staff write; support members read). The API refuses on its own whatever is hidden here.
import { Resource } from 'react-admin';
import SupportAgentIcon from '@mui/icons-material/SupportAgent';
import QuizIcon from '@mui/icons-material/Quiz';
import CategoryIcon from '@mui/icons-material/Category';
import messages from './messages.js';
import { TicketList, TicketShow } from './TicketViews.jsx';
import {
    CATEGORIES,
    CategoryCreate,
    CategoryEdit,
    CategoryList,
    ENTRIES,
    EntryCreate,
    EntryEdit,
    EntryList,
} from './FaqViews.jsx';
import { canWriteContent } from '../messages/index.jsx';

export default {
    name: 'help',
    messages,
    // The FAQ API replaces a category or an entry as a whole (PUT).
    resourceOptions: { [CATEGORIES]: { update: 'PUT' }, [ENTRIES]: { update: 'PUT' } },
    resources: (permissions) => {
        if (permissions?.kind !== 'organisation') return [];
        const canWrite = canWriteContent(permissions);
        return [
            <Resource
                key="tickets"
                name="tickets"
                list={TicketList}
                show={TicketShow}
                icon={SupportAgentIcon}
                recordRepresentation="reference"
            />,
            <Resource
                key={ENTRIES}
                name={ENTRIES}
                list={<EntryList canWrite={canWrite} />}
                create={canWrite ? EntryCreate : undefined}
                edit={canWrite ? EntryEdit : undefined}
                icon={QuizIcon}
            />,
            <Resource
                key={CATEGORIES}
                name={CATEGORIES}
                list={<CategoryList canWrite={canWrite} />}
                create={canWrite ? CategoryCreate : undefined}
                edit={canWrite ? CategoryEdit : undefined}
                icon={CategoryIcon}
            />,
        ];
    },
};
