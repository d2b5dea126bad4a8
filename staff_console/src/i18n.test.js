// Every text in English, Dutch and French: the console's and every screen's keys, and react-admin's own.
import { describe, expect, it } from 'vitest';
import englishMessages from 'ra-language-english';
import dutchMessages from './i18n/ra-dutch.js';
import { screenMessages } from './i18n/index.js';

// Every screen folder's messages.js (registered or not yet), without loading the screens' components.
const screenFiles = import.meta.glob('./screens/*/messages.js', { eager: true, import: 'default' });

function keys(messages, prefix = '') {
    return Object.entries(messages).flatMap(([key, value]) =>
        value && typeof value === 'object' ? keys(value, `${prefix}${key}.`) : [`${prefix}${key}`],
    );
}

describe('translations', () => {
    const screens = Object.entries(screenFiles).map(([path, messages]) => ({
        name: path.split('/')[2],
        messages,
    }));
    const messages = screenMessages(screens);

    it.each(['nl', 'fr'])('every console and screen text of English exists in %s', (locale) => {
        const missing = keys(messages.en).filter((key) => !keys(messages[locale]).includes(key));
        expect(missing).toEqual([]);
    });

    it.each(screens.map((screen) => [screen.name, screen]))('screen %s has its messages in en, nl and fr', (_name, screen) => {
        for (const locale of ['en', 'nl', 'fr']) {
            expect(Object.keys(screen.messages?.[locale] || {})).not.toEqual([]);
        }
        const english = keys(screen.messages.en);
        for (const locale of ['nl', 'fr']) {
            const own = keys(screen.messages[locale]);
            expect(english.filter((key) => !own.includes(key))).toEqual([]);
        }
    });

    it("react-admin's Dutch has every key of its English", () => {
        const dutch = keys(dutchMessages);
        expect(keys(englishMessages).filter((key) => !dutch.includes(key))).toEqual([]);
    });

    it('no text is empty', () => {
        for (const locale of ['en', 'nl', 'fr']) {
            const flat = keys(messages[locale]);
            expect(flat.length).toBeGreaterThan(0);
        }
    });
});
