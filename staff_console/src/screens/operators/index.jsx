// Screen 8: platform operators (platform domain only) — organisations, onboarding with its
// progress, domains, suspension and reactivation with a reason, feature switches.
import { Resource } from 'react-admin';
import { Route } from 'react-router-dom';
import BusinessIcon from '@mui/icons-material/Business';
import messages from './messages.js';
import { resourceOptions } from './options.js';
import OrganisationList from './OrganisationList.jsx';
import OrganisationShow from './OrganisationShow.jsx';
import Onboard from './Onboard.jsx';
import Progress from './Progress.jsx';

export function isOperator(permissions) {
    return permissions?.kind === 'platform';
}

export default {
    name: 'operators',
    messages,
    resourceOptions,
    resources: (permissions) =>
        isOperator(permissions)
            ? [
                  <Resource
                      key="organisations"
                      name="organisations"
                      list={OrganisationList}
                      show={OrganisationShow}
                      create={Onboard}
                      icon={BusinessIcon}
                      recordRepresentation="name"
                  />,
              ]
            : [],
    routes: (permissions) =>
        isOperator(permissions)
            ? [<Route key="organisation-progress" path="/organisations/:id/progress" element={<Progress />} />]
            : [],
};
