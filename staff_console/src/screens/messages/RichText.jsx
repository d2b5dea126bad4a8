// The rich-text editor for staff's text that residents read (page messages, FAQ answers): exactly
// the formatting the server's allow-list keeps (configuration/rich_text.py) — headings h2–h4, bold,
// italic, underline, strikethrough, numbered and bulleted lists, text and background colour, links
// (http, https, mailto, tel) — and nothing it would strip (no code, quotes, images, alignment, h1).
import { useEffect, useMemo, useState } from 'react';
import { useTranslate } from 'react-admin';
import { MenuItem, Select, ToggleButton, ToggleButtonGroup } from '@mui/material';
import FormatBold from '@mui/icons-material/FormatBold';
import FormatItalic from '@mui/icons-material/FormatItalic';
import FormatUnderlined from '@mui/icons-material/FormatUnderlined';
import FormatStrikethrough from '@mui/icons-material/FormatStrikethrough';
import { mergeAttributes } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';
import { TextStyle } from '@tiptap/extension-text-style';
import { Color } from '@tiptap/extension-color';
import { Highlight } from '@tiptap/extension-highlight';
import {
    ClearButtons,
    ColorButtons,
    LinkButtons,
    ListButtons,
    RichTextInput,
    RichTextInputToolbar,
    useTiptapEditor,
} from 'ra-input-rich-text';
import { richTextEditorOptions } from '../../components/richText.js';
import { allowedLink } from './helpers.js';

export const HEADING_LEVELS = [2, 3, 4];

// A background colour as <span style="background-color: …">: the allow-list keeps `style` on
// span only (not <mark>), so Tiptap's highlight is written as a span and read back from one.
const SpanHighlight = Highlight.extend({
    parseHTML() {
        return [
            { tag: 'mark' },
            {
                tag: 'span',
                consuming: false,
                getAttrs: (element) => (element.style?.backgroundColor ? {} : false),
            },
        ];
    },
    renderHTML({ HTMLAttributes }) {
        const { 'data-color': _dataColor, ...rest } = HTMLAttributes;
        return ['span', mergeAttributes(this.options.HTMLAttributes, rest), 0];
    },
}).configure({ multicolor: true });

export const ALLOWED_EXTENSIONS = [
    StarterKit.configure({
        heading: { levels: HEADING_LEVELS },
        blockquote: false,
        code: false,
        codeBlock: false,
        horizontalRule: false,
        link: {
            openOnClick: false,
            autolink: true,
            // '' is what the link button asks about before prompting (editor.can().setLink).
            isAllowedUri: (url) => url === '' || allowedLink(url),
            HTMLAttributes: { target: null, rel: 'noopener noreferrer nofollow' },
        },
    }),
    TextStyle,
    Color,
    SpanHighlight,
];

function LevelSelect({ size }) {
    const editor = useTiptapEditor();
    const translate = useTranslate();
    const [, rerender] = useState(0);
    useEffect(() => {
        if (!editor) return undefined;
        const update = () => rerender((n) => n + 1);
        editor.on('selectionUpdate', update);
        editor.on('transaction', update);
        return () => {
            editor.off('selectionUpdate', update);
            editor.off('transaction', update);
        };
    }, [editor]);
    const level = editor ? HEADING_LEVELS.find((n) => editor.isActive('heading', { level: n })) : undefined;
    const change = (event) => {
        const value = Number(event.target.value);
        const chain = editor.chain().focus();
        (value ? chain.setHeading({ level: value }) : chain.setParagraph()).run();
    };
    return (
        <Select
            size={size}
            value={level || 0}
            onChange={change}
            disabled={!editor || !editor.isEditable}
            inputProps={{ 'aria-label': translate('page_messages.editor.level') }}
            sx={{ minWidth: 130, mr: 1 }}
        >
            <MenuItem value={0}>{translate('page_messages.editor.paragraph')}</MenuItem>
            {HEADING_LEVELS.map((n) => (
                <MenuItem key={n} value={n}>
                    {translate('page_messages.editor.heading', { level: n - 1 })}
                </MenuItem>
            ))}
        </Select>
    );
}

const FORMATS = [
    ['bold', FormatBold, (e) => e.chain().focus().toggleBold().run()],
    ['italic', FormatItalic, (e) => e.chain().focus().toggleItalic().run()],
    ['underline', FormatUnderlined, (e) => e.chain().focus().toggleUnderline().run()],
    ['strike', FormatStrikethrough, (e) => e.chain().focus().toggleStrike().run()],
];

function FormatButtons({ size }) {
    const editor = useTiptapEditor();
    const translate = useTranslate();
    const [, rerender] = useState(0);
    useEffect(() => {
        if (!editor) return undefined;
        const update = () => rerender((n) => n + 1);
        editor.on('transaction', update);
        return () => editor.off('transaction', update);
    }, [editor]);
    const active = editor ? FORMATS.filter(([name]) => editor.isActive(name)).map(([name]) => name) : [];
    return (
        <ToggleButtonGroup size={size} value={active} disabled={!editor || !editor.isEditable}>
            {FORMATS.map(([name, Icon, run]) => {
                const label = translate(`page_messages.editor.${name}`);
                return (
                    <ToggleButton key={name} value={name} aria-label={label} title={label} onClick={() => run(editor)}>
                        <Icon fontSize="inherit" />
                    </ToggleButton>
                );
            })}
        </ToggleButtonGroup>
    );
}

export function AllowedToolbar({ size = 'small' }) {
    return (
        <RichTextInputToolbar size={size}>
            <LevelSelect size={size} />
            <FormatButtons size={size} />
            <ColorButtons size={size} />
            <ListButtons size={size} />
            <LinkButtons size={size} />
            <ClearButtons size={size} />
        </RichTextInputToolbar>
    );
}

/** RichTextInput with the allowed formatting only; the editable area is named by the input's
 * label (screen readers, axe); empty editor content is sent as "". */
export default function AllowedRichTextInput({ label, ...props }) {
    const editorOptions = useMemo(
        () =>
            richTextEditorOptions({
                extensions: ALLOWED_EXTENSIONS,
                editorProps: { attributes: { 'aria-label': label, 'aria-multiline': 'true', role: 'textbox' } },
            }),
        [label],
    );
    return (
        <RichTextInput
            editorOptions={editorOptions}
            toolbar={<AllowedToolbar />}
            parse={(value) => (value === '<p></p>' ? '' : value)}
            label={label}
            fullWidth
            {...props}
        />
    );
}
