import { describe, expect, it } from 'vitest';
import { compactIban, formatIban, paymentChanges, paymentRecord, placeholderList } from './payment.js';

describe('IBAN', () => {
    it('is shown upper case in groups of four', () => {
        expect(formatIban('be71096123456769')).toBe('BE71 0961 2345 6769');
        expect(formatIban('NL91 ABNA 0417 1643 00')).toBe('NL91 ABNA 0417 1643 00');
        expect(formatIban('FR7630006000011234567890189')).toBe('FR76 3000 6000 0112 3456 7890 189');
        expect(formatIban('')).toBe('');
        expect(formatIban(null)).toBe('');
    });

    it('is compared and sent compact', () => {
        expect(compactIban(' be71 0961-2345 6769 ')).toBe('BE71096123456769');
    });
});

describe('payment settings payload', () => {
    const record = {
        creditor_name: 'Warmte Noord',
        iban: 'BE71096123456769',
        bic: 'GKCCBEBB',
        reference_scheme: 'be_structured',
        provider_url_template: '',
        placeholders: ['invoice_number', 'amount'],
    };

    it('sends nothing when only the IBAN grouping or case changed', () => {
        const values = { ...paymentRecord(record), iban: 'be71 0961 2345 6769', bic: 'gkccbebb' };
        expect(paymentChanges(values, record)).toEqual({});
    });

    it('sends the changed fields, the IBAN compact and texts trimmed', () => {
        const values = {
            ...paymentRecord(record),
            iban: 'NL91 ABNA 0417 1643 00',
            reference_scheme: 'rf_creditor',
            provider_url_template: ' https://pay.example/{invoice_number} ',
        };
        expect(paymentChanges(values, record)).toEqual({
            iban: 'NL91ABNA0417164300',
            reference_scheme: 'rf_creditor',
            provider_url_template: 'https://pay.example/{invoice_number}',
        });
    });

    it('clears a field with an empty string', () => {
        expect(paymentChanges({ ...record, bic: null }, record)).toEqual({ bic: '' });
    });

    it('starts the form with the IBAN grouped', () => {
        expect(paymentRecord(record).iban).toBe('BE71 0961 2345 6769');
    });

    it('names the placeholders as they are written', () => {
        expect(placeholderList(['invoice_number', 'amount'])).toBe('{invoice_number}, {amount}');
    });
});
