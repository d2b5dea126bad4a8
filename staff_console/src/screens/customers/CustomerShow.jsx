import {
  ArrayField,
  Datagrid,
  DateField,
  EmailField,
  FunctionField,
  SelectField,
  Show,
  SimpleShowLayout,
  TabbedShowLayout,
  TabbedShowLayoutTabs,
  TextField,
  useRecordContext,
  useTranslate,
} from 'react-admin';

import { addressKindChoices, billingChoices, kindChoices, languageChoices } from './choices';
import PortalCard from './PortalCard';
import { AdvanceTab, ContractsTab, DocumentsTab, InvoicesTab, PaymentsTab } from './RelatedLists';

/** An address on one line, as the portal writes it. */
const oneLine = (address) =>
  [
    [address.street, address.house_number, address.box].filter(Boolean).join(' '),
    [address.postal_code, address.city].filter(Boolean).join(' '),
  ]
    .filter(Boolean)
    .join(', ');

const CustomerTitle = () => {
  const record = useRecordContext();
  const translate = useTranslate();
  return <span>{record ? translate('customers.title', { name: record.name }) : ''}</span>;
};

const Details = () => (
  <SimpleShowLayout>
    <TextField source="customer_number" label="customers.fields.customer_number" />
    <TextField source="name" label="customers.fields.name" />
    <SelectField source="kind" label="customers.fields.kind" choices={kindChoices} />
    <EmailField source="email" label="customers.fields.email" emptyText="—" />
    <TextField source="phone" label="customers.fields.phone" emptyText="—" />
    <TextField source="vat_number" label="customers.fields.vat_number" emptyText="—" />
    <SelectField source="language" label="customers.fields.language" choices={languageChoices} />
    <SelectField
      source="billing_preference"
      label="customers.fields.billing_preference"
      choices={billingChoices}
    />
    <ArrayField source="addresses" label="customers.fields.addresses">
      <Datagrid bulkActionButtons={false} rowClick={false}>
        <SelectField source="kind" label="customers.fields.kind" choices={addressKindChoices} />
        <FunctionField label="customers.fields.address" render={oneLine} />
      </Datagrid>
    </ArrayField>
    <TextField source="external_id" label="customers.fields.external_id" emptyText="—" />
    <DateField source="created_at" label="customers.fields.created_at" />
  </SimpleShowLayout>
);

/** The customer page: details, the portal card, and the customer's billing data in tabs. */
const CustomerShow = () => (
  <Show
    title={<CustomerTitle />}
    // The page takes the width it is given (not its tables' width): wide parts scroll inside it.
    sx={{ contain: 'inline-size', minWidth: 0 }}
  >
    <TabbedShowLayout tabs={<TabbedShowLayoutTabs variant="scrollable" scrollButtons="auto" />}>
      <TabbedShowLayout.Tab label="customers.tabs.details">
        <Details />
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="customers.tabs.portal" path="portal">
        <PortalCard />
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="customers.tabs.contracts" path="contracts">
        <ContractsTab />
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="customers.tabs.invoices" path="invoices">
        <InvoicesTab />
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="customers.tabs.payments" path="payments">
        <PaymentsTab />
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="customers.tabs.documents" path="documents">
        <DocumentsTab />
      </TabbedShowLayout.Tab>
      <TabbedShowLayout.Tab label="customers.tabs.advance" path="advance">
        <AdvanceTab />
      </TabbedShowLayout.Tab>
    </TabbedShowLayout>
  </Show>
);

export default CustomerShow;
