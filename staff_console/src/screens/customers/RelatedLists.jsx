import {
  Datagrid,
  DateField,
  DateInput,
  FilterForm,
  FunctionField,
  ListBase,
  Pagination,
  SearchInput,
  SelectField,
  SelectInput,
  TextField,
  useRecordContext,
  useTranslate,
} from 'react-admin';
import { Link, Typography } from '@mui/material';

import {
  contractStatusChoices,
  documentCategoryChoices,
  invoiceKindChoices,
  paymentStatusChoices,
  transactionKindChoices,
} from './choices';
import Money from './Money';
import Scroll from './Scroll.jsx';

/**
 * One of the customer's lists (contracts, invoices, …): the admin list API filtered on this
 * customer, with that API's own filters, ordering and pagination, kept out of the address bar.
 */
export const CustomerRelatedList = ({ resource, sort, filters = [], children, perPage = 10 }) => {
  const record = useRecordContext();
  const translate = useTranslate();
  if (!record) return null;
  return (
    <ListBase
      resource={resource}
      filter={{ customer: record.id }}
      sort={sort}
      perPage={perPage}
      disableSyncWithLocation
      storeKey={false}
    >
      {filters.length > 0 && <FilterForm filters={filters} />}
      <Scroll>
        <Datagrid
          bulkActionButtons={false}
          rowClick={false}
          empty={
            <Typography variant="body2" sx={{ p: 2 }}>
              {translate('ra.navigation.no_results')}
            </Typography>
          }
        >
          {children}
        </Datagrid>
      </Scroll>
      <Pagination rowsPerPageOptions={[10, 25, 50]} />
    </ListBase>
  );
};

const search = <SearchInput key="q" source="q" alwaysOn />;

const address = (contract) => (contract.locations || []).map((row) => row.location.address).join('; ');

export const ContractsTab = () => (
  <CustomerRelatedList
    resource="contracts"
    sort={{ field: 'number', order: 'ASC' }}
    filters={[
      search,
      <SelectInput
        key="status"
        source="status"
        label="customers.contracts.status"
        choices={contractStatusChoices}
        alwaysOn
      />,
    ]}
  >
    <TextField source="number" label="customers.contracts.number" />
    <SelectField
      source="status"
      label="customers.contracts.status"
      choices={contractStatusChoices}
      sortable={false}
    />
    <DateField source="start_date" label="customers.contracts.start_date" />
    <DateField source="end_date" label="customers.contracts.end_date" emptyText="—" />
    <FunctionField label="customers.contracts.address" render={address} sortable={false} />
  </CustomerRelatedList>
);

const PdfLink = () => {
  const record = useRecordContext();
  const translate = useTranslate();
  if (!record) return null;
  return (
    <Link
      href={`/api/admin/invoices/${record.id}/pdf/`}
      aria-label={`${translate('customers.invoices.pdf')} ${record.number}`}
    >
      {translate('customers.invoices.pdf')}
    </Link>
  );
};

export const InvoicesTab = () => (
  <CustomerRelatedList
    resource="invoices"
    sort={{ field: 'issue_date', order: 'DESC' }}
    filters={[
      search,
      <SelectInput
        key="payment_status"
        source="payment_status"
        label="customers.invoices.payment_status"
        choices={paymentStatusChoices}
        alwaysOn
      />,
      <SelectInput key="kind" source="kind" label="customers.invoices.kind" choices={invoiceKindChoices} alwaysOn />,
      <DateInput key="issued_after" source="issued_after" label="customers.invoices.issued_after" alwaysOn />,
      <DateInput key="issued_before" source="issued_before" label="customers.invoices.issued_before" alwaysOn />,
    ]}
  >
    <TextField source="number" label="customers.invoices.number" />
    <SelectField source="kind" label="customers.invoices.kind" choices={invoiceKindChoices} sortable={false} />
    <DateField source="issue_date" label="customers.invoices.issue_date" />
    <DateField source="due_date" label="customers.invoices.due_date" />
    <FunctionField
      source="amount_incl_tax"
      label="customers.invoices.amount"
      render={() => <Money source="amount_incl_tax" />}
    />
    <FunctionField label="customers.invoices.open" render={() => <Money source="amount_open" />} />
    <SelectField
      source="payment_status"
      label="customers.invoices.payment_status"
      choices={paymentStatusChoices}
      sortable={false}
    />
    <TextField source="contract_number" label="customers.invoices.contract" sortable={false} emptyText="—" />
    <FunctionField label="customers.invoices.pdf" render={() => <PdfLink />} />
  </CustomerRelatedList>
);

export const PaymentsTab = () => (
  <CustomerRelatedList
    resource="transactions"
    sort={{ field: 'date', order: 'DESC' }}
    filters={[
      search,
      <SelectInput key="kind" source="kind" label="customers.payments.kind" choices={transactionKindChoices} alwaysOn />,
      <DateInput key="after" source="after" label="customers.payments.after" alwaysOn />,
      <DateInput key="before" source="before" label="customers.payments.before" alwaysOn />,
    ]}
  >
    <DateField source="date" label="customers.payments.date" />
    <SelectField source="kind" label="customers.payments.kind" choices={transactionKindChoices} sortable={false} />
    <TextField source="description" label="customers.payments.description" sortable={false} />
    <FunctionField source="amount" label="customers.payments.amount" render={() => <Money source="amount" />} />
    <TextField source="invoice_number" label="customers.payments.invoice" sortable={false} emptyText="—" />
    <TextField source="method" label="customers.payments.method" sortable={false} emptyText="—" />
  </CustomerRelatedList>
);

const DownloadLink = () => {
  const record = useRecordContext();
  const translate = useTranslate();
  if (!record) return null;
  return (
    <Link href={record.download_url} aria-label={`${translate('customers.documents.download')} ${record.title}`}>
      {translate('customers.documents.download')}
    </Link>
  );
};

export const DocumentsTab = () => (
  <CustomerRelatedList
    resource="documents"
    sort={{ field: 'document_date', order: 'DESC' }}
    filters={[
      search,
      <SelectInput
        key="category"
        source="category"
        label="customers.documents.category"
        choices={documentCategoryChoices}
        alwaysOn
      />,
    ]}
  >
    <TextField source="title" label="customers.documents.title" />
    <SelectField
      source="category"
      label="customers.documents.category"
      choices={documentCategoryChoices}
      sortable={false}
    />
    <DateField source="document_date" label="customers.documents.document_date" />
    <TextField source="filename" label="customers.documents.filename" sortable={false} />
    <FunctionField label="customers.documents.download" render={() => <DownloadLink />} />
  </CustomerRelatedList>
);

/** The advance payment of each contract: as agreed, after the last settlement, and now. */
export const AdvanceTab = () => (
  <CustomerRelatedList
    resource="contracts"
    sort={{ field: 'number', order: 'ASC' }}
    filters={[
      <SelectInput
        key="status"
        source="status"
        label="customers.contracts.status"
        choices={contractStatusChoices}
        alwaysOn
      />,
    ]}
  >
    <TextField source="number" label="customers.advance.contract" />
    <FunctionField
      label="customers.advance.current_amount"
      render={() => <Money source="advance.current_amount" currencySource="advance.currency" />}
    />
    <FunctionField
      label="customers.advance.original_amount"
      render={() => <Money source="advance.original_amount" currencySource="advance.currency" />}
    />
    <FunctionField
      label="customers.advance.settlement_amount"
      render={() => <Money source="advance.settlement_amount" currencySource="advance.currency" />}
    />
    <DateField source="advance.updated_at" label="customers.advance.updated_at" sortable={false} emptyText="—" />
  </CustomerRelatedList>
);
