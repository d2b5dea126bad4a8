// Screen 7: staff members and their invitations (administrators only; the API refuses others).
import { Resource } from 'react-admin';
import PeopleIcon from '@mui/icons-material/People';
import messages from './messages.js';
import { StaffCreate, StaffEdit, StaffList } from './StaffViews.jsx';

export function isAdmin(permissions) {
    return permissions?.kind === 'organisation' && permissions?.role === 'admin';
}

export default {
    name: 'staff',
    messages,
    resources: (permissions) =>
        isAdmin(permissions)
            ? [
                  <Resource
                      key="staff"
                      name="staff"
                      list={StaffList}
                      edit={StaffEdit}
                      create={StaffCreate}
                      icon={PeopleIcon}
                      recordRepresentation="email"
                  />,
              ]
            : [],
};
