// A request's status as a small outlined chip. The text stays in the body colour (contrast); where
// `colours` names one for the status, a thicker coloured border tells the statuses apart.
import { useTranslate } from 'react-admin';
import { Chip } from '@mui/material';

/** `messages`: the key prefix of the status texts (`<messages>.<status>`); `fallbackColour`: the
 * border of a status `colours` does not name (none: the plain outline). */
export default function StatusChip({ status, messages, colours = {}, fallbackColour }) {
    const translate = useTranslate();
    if (!status) return null;
    const colour = colours[status] || fallbackColour;
    return (
        <Chip
            size="small"
            variant="outlined"
            label={translate(`${messages}.${status}`, { _: status })}
            sx={colour ? { borderColor: `${colour}.main`, borderWidth: 2 } : undefined}
        />
    );
}
