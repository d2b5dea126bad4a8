// What every component may need from the shell page: bootstrap data and the host's screens.
import { createContext, useContext } from 'react';

export const ConsoleContext = createContext({ bootstrap: {}, screens: [] });

export function useConsole() {
    return useContext(ConsoleContext);
}
