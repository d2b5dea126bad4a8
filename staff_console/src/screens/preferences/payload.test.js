import { describe, expect, it } from 'vitest';
import { changedSettings, preferencesBody, warningsByField } from './payload.js';

const record = {
    use_organisation_colours: true,
    primary_colour: '',
    advance_fixed_amount: '10.00',
    advance_min_percentage: null,
    website: '',
    logo_url: '/media/x.png',
};

describe('preferences payload', () => {
    it('sends only what changed, decimals compared as numbers', () => {
        const values = { ...record, primary_colour: '#112233', advance_fixed_amount: 10, advance_min_percentage: '' };
        expect(changedSettings(values, record)).toEqual({ primary_colour: '#112233' });
    });

    it('clears a decimal with null and a text with an empty string', () => {
        const values = { ...record, advance_fixed_amount: '', website: null };
        expect(changedSettings(values, { ...record, website: 'https://x.test' })).toEqual({
            advance_fixed_amount: null,
            website: '',
        });
    });

    it('sends a removal only when asked', () => {
        expect(changedSettings({ ...record, remove_logo: false }, record)).toEqual({});
        expect(changedSettings({ ...record, remove_logo: true }, record)).toEqual({ remove_logo: true });
    });

    it('uses multipart with the settings as text when a file is chosen', () => {
        const file = new File(['x'], 'logo.png', { type: 'image/png' });
        const body = preferencesBody({ ...record, use_organisation_logo: false, logo: { rawFile: file } }, record);
        expect(body).toBeInstanceOf(FormData);
        expect(body.get('use_organisation_logo')).toBe('false');
        expect(body.get('logo').name).toBe('logo.png');
        expect(preferencesBody({ ...record, website: 'https://a.test' }, record)).toEqual({ website: 'https://a.test' });
    });

    it('groups warnings by field', () => {
        expect(
            warningsByField([
                { field: 'primary_colour', code: 'low_contrast', detail: 'a' },
                { field: 'primary_colour', code: 'low_contrast', detail: 'b' },
            ]),
        ).toEqual({ primary_colour: ['a', 'b'] });
    });
});
