import {
  Datagrid,
  DateField,
  FunctionField,
  ListBase,
  Loading,
  Pagination,
  TextField,
  useGetOne,
  useLocaleState,
  useRecordContext,
  useCreatePath,
  useTranslate,
} from 'react-admin';
import { Link as RouterLink } from 'react-router-dom';
import { Alert, Box, Card, CardContent, Chip, Link, Typography } from '@mui/material';

import { languageChoices } from './choices';
import Scroll from './Scroll.jsx';
import PortalActions from './PortalActions';

const STATUS_COLOURS = { active: 'success', not_confirmed: 'warning', no_account: 'default' };

const dateTime = (value, locale) =>
  value ? new Date(value).toLocaleString(locale === 'en' ? 'en-GB' : `${locale}-BE`) : null;

/** One labelled value of the card, as a term and its description (read out together). */
const Item = ({ label, children }) => (
  <Box sx={{ display: 'contents' }}>
    <Typography component="dt" variant="body2" color="text.secondary">
      {label}
    </Typography>
    <Typography component="dd" variant="body2" sx={{ m: 0, overflowWrap: 'anywhere' }}>
      {children}
    </Typography>
  </Box>
);

const CardFacts = ({ card }) => {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const never = translate('customers.card.never');
  const language = languageChoices.find((choice) => choice.id === card.language);
  return (
    <Box
      component="dl"
      sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', sm: 'max-content 1fr' }, columnGap: 3, rowGap: 1, my: 2 }}
    >
      <Item label={translate('customers.fields.portal_status')}>
        <Chip
          size="small"
          color={STATUS_COLOURS[card.status]}
          label={translate(`customers.status.${card.status}`)}
          data-testid="portal-status"
        />
      </Item>
      <Item label={translate('customers.card.portal_email')}>{card.portal_email || translate('customers.card.none')}</Item>
      <Item label={translate('customers.card.email_confirmed')}>
        {card.email_confirmed
          ? dateTime(card.email_confirmed_at, locale) || translate('customers.card.yes')
          : translate('customers.card.no')}
      </Item>
      <Item label={translate('customers.card.registration_date')}>
        {dateTime(card.registration_date, locale) || translate('customers.card.none')}
      </Item>
      <Item label={translate('customers.card.last_login_at')}>{dateTime(card.last_login_at, locale) || never}</Item>
      <Item label={translate('customers.card.language')}>
        {language ? language.name : translate('customers.card.none')}
      </Item>
      {card.account_deletion ? <DeletionFact request={card.account_deletion} /> : null}
    </Box>
  );
};

/** The latest request to delete the portal account: its state and a link to the request's page. */
const DeletionFact = ({ request }) => {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const createPath = useCreatePath();
  const when = request.completed_at || request.cancelled_at || request.requested_at;
  return (
    <Item label={translate('customers.card.account_deletion')}>
      <Link component={RouterLink} to={createPath({ resource: 'account-deletions', id: request.id, type: 'show' })}>
        {translate(`account_deletions.status.${request.status}`)}
      </Link>{' '}
      ({dateTime(when, locale)})
    </Item>
  );
};

/** Every portal event of the customer, newest first, ten a page. */
const ActivityLog = ({ customerId }) => {
  const translate = useTranslate();
  return (
    <ListBase
      resource={`customers/${customerId}/portal/activity`}
      perPage={10}
      disableSyncWithLocation
      storeKey={false}
    >
      <Scroll>
        <Datagrid
          bulkActionButtons={false}
          rowClick={false}
          sx={{ '& td': { verticalAlign: 'top' } }}
          empty={<Typography variant="body2">{translate('customers.activity.empty')}</Typography>}
        >
          <DateField source="created_at" label="customers.activity.created_at" showTime />
          <TextField source="kind_label" label="customers.activity.kind" sortable={false} />
          <FunctionField
            label="customers.activity.actor"
            render={(event) => event.actor_email || event.actor}
            sortable={false}
          />
          <TextField source="ip" label="customers.activity.ip" sortable={false} emptyText="—" />
        </Datagrid>
      </Scroll>
      <Pagination rowsPerPageOptions={[10, 25, 50]} />
    </ListBase>
  );
};

/** Each opening of one of the customer's documents in the portal. */
const DocumentsViewed = ({ customerId }) => {
  const translate = useTranslate();
  return (
    <ListBase
      resource={`customers/${customerId}/portal/documents-viewed`}
      perPage={10}
      disableSyncWithLocation
      storeKey={false}
      sort={{ field: 'viewed_at', order: 'DESC' }}
    >
      <Scroll>
        <Datagrid
          bulkActionButtons={false}
          rowClick={false}
          empty={<Typography variant="body2">{translate('customers.card.no_documents_viewed')}</Typography>}
        >
          <TextField source="title" label="customers.documents.title" sortBy="document__title" />
          <DateField source="viewed_at" label="customers.card.viewed_at" showTime />
          <FunctionField
            label="customers.card.viewed_by"
            render={(view) =>
              view.impersonated_by_email
                ? translate('customers.card.as_customer', { email: view.impersonated_by_email })
                : view.user_email
            }
          />
        </Datagrid>
      </Scroll>
      <Pagination rowsPerPageOptions={[10, 25, 50]} />
    </ListBase>
  );
};

/** The customer portal tab: the account's state, what staff can do about it, and its history. */
const PortalCard = () => {
  const record = useRecordContext();
  const translate = useTranslate();
  const { data: card, isPending, error } = useGetOne(
    `customers/${record?.id}/portal`,
    { id: 'current' },
    { enabled: Boolean(record) },
  );
  if (!record || isPending) return <Loading />;
  if (error) return <Alert severity="error">{error.message}</Alert>;
  return (
    <Box>
      <Card variant="outlined" component="section" aria-labelledby="portal-card-heading">
        <CardContent>
          <Typography id="portal-card-heading" variant="h6" component="h2">
            {translate('customers.card.heading')}
          </Typography>
          <CardFacts card={card} />
          <PortalActions card={card} customer={record} />
        </CardContent>
      </Card>
      <Box component="section" aria-labelledby="portal-activity-heading" sx={{ mt: 3 }}>
        <Typography id="portal-activity-heading" variant="h6" component="h2">
          {translate('customers.tabs.activity')}
        </Typography>
        <ActivityLog customerId={record.id} />
      </Box>
      <Box component="section" aria-labelledby="portal-documents-heading" sx={{ mt: 3 }}>
        <Typography id="portal-documents-heading" variant="h6" component="h2">
          {translate('customers.card.documents_viewed')}
        </Typography>
        <DocumentsViewed customerId={record.id} />
      </Box>
    </Box>
  );
};

export default PortalCard;
