import { useLocaleState, useRecordContext } from 'react-admin';

const get = (record, path) => path.split('.').reduce((value, key) => (value == null ? value : value[key]), record);

/** An amount (DRF sends decimals as strings) in the record's currency and the console's locale. */
const Money = ({ source, currencySource = 'currency', emptyText = '—' }) => {
  const record = useRecordContext();
  const [locale] = useLocaleState();
  const value = record ? get(record, source) : null;
  if (value == null || value === '') return <span>{emptyText}</span>;
  const currency = get(record, currencySource) || 'EUR';
  const formatted = new Intl.NumberFormat(locale === 'en' ? 'en-GB' : `${locale}-BE`, {
    style: 'currency',
    currency,
  }).format(Number(value));
  return <span>{formatted}</span>;
};

export default Money;
