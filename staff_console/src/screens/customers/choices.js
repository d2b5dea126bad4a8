// Choice lists of the customer screens: the API's values, labelled by the screen's own messages.

const choices = (prefix, values) => values.map((id) => ({ id, name: `customers.${prefix}.${id}` }));

export const portalStatusChoices = choices('status', ['active', 'not_confirmed', 'no_account']);
export const kindChoices = choices('kind', ['person', 'company']);
export const billingChoices = choices('billing', ['email', 'post']);
export const addressKindChoices = choices('address_kind', ['personal', 'company', 'billing']);
export const contractStatusChoices = choices('contracts.status_choices', ['pending', 'active', 'ended']);
export const invoiceKindChoices = choices('invoices.kind_choices', [
  'advance',
  'settlement',
  'final',
  'credit_note',
]);
export const paymentStatusChoices = choices('invoices.status_choices', [
  'open',
  'partially_paid',
  'paid',
  'awaiting_confirmation',
  'cancelled',
]);
export const transactionKindChoices = choices('payments.kind_choices', [
  'payment',
  'refund',
  'adjustment',
  'collection_fee',
  'other',
]);
export const documentCategoryChoices = choices('documents.category_choices', [
  'contract',
  'letter',
  'tariff',
  'meter_reading',
  'other',
]);
// Language names are written in their own language, as the portal's language menu does.
export const languageChoices = [
  { id: 'en', name: 'English' },
  { id: 'nl', name: 'Nederlands' },
  { id: 'fr', name: 'Français' },
];

/** Whether the role may do what the API allows administrators and staff (not support) to do. */
export const canManageAccounts = (permissions) => ['admin', 'staff'].includes(permissions?.role);
