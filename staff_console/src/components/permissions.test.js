import { describe, expect, it } from 'vitest';
import { mayDecide } from './permissions.js';
import { fieldErrors } from '../http.js';

describe('mayDecide', () => {
    it('lets staff members and administrators decide, not support members', () => {
        expect(mayDecide({ role: 'staff' })).toBe(true);
        expect(mayDecide({ role: 'admin' })).toBe(true);
        expect(mayDecide({ role: 'support' })).toBe(false);
    });

    it('refuses while the permissions are unknown', () => {
        expect(mayDecide(undefined)).toBe(false);
        expect(mayDecide(null)).toBe(false);
        expect(mayDecide({})).toBe(false);
        expect(mayDecide({ role: '' })).toBe(false);
    });
});

describe('fieldErrors', () => {
    it('gives the per-field errors of a failed request', () => {
        const errors = { iban: 'Not a valid IBAN.' };
        expect(fieldErrors({ body: { errors } })).toBe(errors);
    });

    it('gives nothing when the failure names no field', () => {
        expect(fieldErrors({ body: { errors: {} } })).toBeUndefined();
        expect(fieldErrors({ body: {} })).toBeUndefined();
        expect(fieldErrors({ message: 'Network down' })).toBeUndefined();
        expect(fieldErrors(undefined)).toBeUndefined();
    });
});
