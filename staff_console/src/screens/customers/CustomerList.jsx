import {
  Datagrid,
  List,
  SearchInput,
  SelectField,
  SelectInput,
  SimpleList,
  TextField,
  useTranslate,
} from 'react-admin';
import { useMediaQuery } from '@mui/material';

import { kindChoices, languageChoices, portalStatusChoices } from './choices';

/** The search box, named for what it searches (its placeholder is also its accessible name). */
const CustomerSearchInput = (props) => {
  const translate = useTranslate();
  const text = translate('customers.search');
  return <SearchInput {...props} placeholder={text} inputProps={{ 'aria-label': text }} />;
};

const filters = [
  <CustomerSearchInput key="q" source="q" alwaysOn />,
  <SelectInput
    key="portal_status"
    source="portal_status"
    label="customers.fields.portal_status"
    choices={portalStatusChoices}
    alwaysOn
  />,
  <SelectInput key="kind" source="kind" label="customers.fields.kind" choices={kindChoices} />,
  <SelectInput key="language" source="language" label="customers.fields.language" choices={languageChoices} />,
];

/** Customers: search by number, name, email or address; filter by portal status; sortable. */
const CustomerList = () => {
  const small = useMediaQuery((theme) => theme.breakpoints.down('sm'));
  const translate = useTranslate();
  return (
    <List filters={filters} exporter={false} sort={{ field: 'customer_number', order: 'ASC' }} title="customers.menu">
      {small ? (
        <SimpleList
          primaryText={(record) => record.name}
          secondaryText={(record) => record.customer_number}
          tertiaryText={(record) => translate(`customers.status.${record.portal_status}`)}
          linkType="show"
        />
      ) : (
        <Datagrid rowClick="show" bulkActionButtons={false}>
          <TextField source="customer_number" label="customers.fields.customer_number" />
          <TextField source="name" label="customers.fields.name" sortBy="last_name" />
          <TextField source="email" label="customers.fields.email" sortable={false} />
          <SelectField source="kind" label="customers.fields.kind" choices={kindChoices} sortable={false} />
          <SelectField
            source="portal_status"
            label="customers.fields.portal_status"
            choices={portalStatusChoices}
            sortable={false}
          />
        </Datagrid>
      )}
    </List>
  );
};

export default CustomerList;
