import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import type { Credentials } from './api';

/**
 * The signed-in key lives in sessionStorage only: it ends with the tab, and it never appears in a URL
 * (requests carry it in the Authorization header).
 */
const KEY = 'switchboard.apiKey';
const COMPANY = 'switchboard.companyId';

interface Session {
  creds: Credentials | null;
  signIn(key: string, companyId: number | null): void;
  signOut(): void;
  setCompany(id: number): void;
}

const SessionContext = createContext<Session | null>(null);

function read(): Credentials | null {
  const key = sessionStorage.getItem(KEY);
  if (!key) return null;
  const company = sessionStorage.getItem(COMPANY);
  return { key, companyId: company ? Number(company) : null };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [creds, setCreds] = useState<Credentials | null>(read);
  const signIn = useCallback((key: string, companyId: number | null) => {
    sessionStorage.setItem(KEY, key);
    if (companyId !== null) sessionStorage.setItem(COMPANY, String(companyId));
    setCreds({ key, companyId });
  }, []);
  const signOut = useCallback(() => {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(COMPANY);
    setCreds(null);
  }, []);
  const setCompany = useCallback((id: number) => {
    sessionStorage.setItem(COMPANY, String(id));
    setCreds((c) => (c ? { ...c, companyId: id } : c));
  }, []);
  const value = useMemo(() => ({ creds, signIn, signOut, setCompany }), [creds, signIn, signOut, setCompany]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The credentials of a signed-in page (the shell renders pages only once signed in). */
export function useCreds(): Credentials {
  const { creds } = useSession();
  if (!creds) throw new Error('not signed in');
  return creds;
}
