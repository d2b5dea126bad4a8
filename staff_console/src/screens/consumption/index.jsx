// Screen 6: meters with their readings and completeness (every staff role), the meter readings
// residents submitted (every staff role reads; staff and administrators accept or reject), and the
// billing system's import runs with the rows they refused (administrators; the API refuses others too).
import { Resource } from 'react-admin';
import SpeedIcon from '@mui/icons-material/Speed';
import SyncIcon from '@mui/icons-material/Sync';
import FactCheckIcon from '@mui/icons-material/FactCheck';
import messages from './messages.js';
import { MeterList, MeterShow } from './MeterViews.jsx';
import { ImportRunList, ImportRunShow } from './ImportRunViews.jsx';
import { SubmittedReadingList, SubmittedReadingShow } from './SubmittedReadingViews.jsx';

export default {
    name: 'consumption',
    messages,
    resources: (permissions) => {
        if (permissions?.kind !== 'organisation') return [];
        const resources = [
            <Resource key="meters" name="consumption/meters" list={MeterList} show={MeterShow} icon={SpeedIcon} recordRepresentation="number" />,
            <Resource
                key="submitted-readings"
                name="consumption/submitted-readings"
                list={SubmittedReadingList}
                show={SubmittedReadingShow}
                icon={FactCheckIcon}
                recordRepresentation="reference"
            />,
        ];
        if (permissions.role === 'admin') {
            resources.push(
                <Resource key="import-runs" name="integration/import-runs" list={ImportRunList} show={ImportRunShow} icon={SyncIcon} />,
            );
        }
        return resources;
    },
};
