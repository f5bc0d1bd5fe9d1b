import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

// What every page needs: the translator, the signed-in user, navigation.
export const AppContext = createContext(null);
export const useApp = () => useContext(AppContext);

export function navigate(path) {
  if (location.pathname !== path) history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}
