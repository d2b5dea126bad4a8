import { Resource } from 'react-admin';
import ContactsIcon from '@mui/icons-material/Contacts';

import messages from './messages.js';
import CustomerList from './CustomerList.jsx';
import CustomerShow from './CustomerShow.jsx';

/** Screen 3: customers, with the portal card and each customer's billing data (read-only). */
const customersScreen = {
  name: 'customers',
  messages,
  resources: () => [
    <Resource
      key="customers"
      name="customers"
      list={CustomerList}
      show={CustomerShow}
      icon={ContactsIcon}
      options={{ label: 'customers.menu' }}
      recordRepresentation="name"
    />,
  ],
};

export default customersScreen;
