import { describe, expect, it } from 'vitest';
import { kindLabel, notificationChanges, notificationRecord } from './notifications.js';

const answer = {
    kinds: [
        { kind: 'invoice_available', label: 'A new invoice is available', enabled: true },
        { kind: 'move_update', label: '', enabled: false },
    ],
    reminder_days: 3,
    usage_threshold: 30,
};

describe('notification defaults', () => {
    it('builds the form from whatever kinds the API gives', () => {
        expect(notificationRecord(answer)).toEqual({
            id: 'notifications',
            enabled: { invoice_available: true, move_update: false },
            reminder_days: 3,
            usage_threshold: 30,
        });
        expect(notificationRecord({ ...answer, usage_comparison: 'both' }).usage_comparison).toBe('both');
    });

    it("labels a kind with the API's label, else the console's text, else its key", () => {
        const translate = (key, options) => (key.endsWith('move_update') ? 'News about a move' : options._);
        expect(kindLabel(answer.kinds[0], translate)).toBe('A new invoice is available');
        expect(kindLabel(answer.kinds[1], translate)).toBe('News about a move');
        expect(kindLabel({ kind: 'brand_new' }, translate)).toBe('brand_new');
    });

    it('sends only the switched kinds and changed settings', () => {
        const record = notificationRecord(answer);
        const values = { ...record, enabled: { invoice_available: false, move_update: false }, reminder_days: '3', usage_threshold: 45 };
        expect(notificationChanges(values, record)).toEqual({ enabled: { invoice_available: false }, usage_threshold: 45 });
        expect(notificationChanges(record, record)).toEqual({});
    });

    it('sends an emptied number as null and never a setting the API does not have', () => {
        const record = notificationRecord(answer);
        expect(notificationChanges({ ...record, reminder_days: '', usage_comparison: 'both' }, record)).toEqual({
            reminder_days: null,
        });
    });
});
