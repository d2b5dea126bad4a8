import { describe, expect, it } from 'vitest';
import { alreadyDecided, photoUrl, readingValue } from './readings.js';

describe('submitted readings', () => {
    it('shows a value without trailing zeros, exactly as sent', () => {
        expect(readingValue('1012.5000000')).toBe('1012.5');
        expect(readingValue('2000.0000000')).toBe('2000');
        expect(readingValue('100')).toBe('100');
        expect(readingValue('0.0000001')).toBe('0.0000001');
        expect(readingValue(null)).toBe('');
        expect(readingValue('n/a')).toBe('n/a');
    });

    it('fetches the photo from the staff API', () => {
        expect(photoUrl(12)).toBe('/api/admin/consumption/submitted-readings/12/photo/');
    });

    it('tells an already decided reading from other errors', () => {
        expect(alreadyDecided({ status: 409, body: { code: 'not_submitted' } })).toBe(true);
        expect(alreadyDecided({ status: 400 })).toBe(false);
        expect(alreadyDecided(undefined)).toBe(false);
    });
});
