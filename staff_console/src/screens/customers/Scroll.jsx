import { Box } from '@mui/material';

/** A wide table scrolls inside its own box, so the page never scrolls sideways on a phone. */
const Scroll = ({ children }) => <Box sx={{ overflowX: 'auto', maxWidth: '100%' }}>{children}</Box>;

export default Scroll;
