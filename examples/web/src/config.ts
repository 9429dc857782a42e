/** Where the auth server and the task API are; `npm start` passes both. */
export const AUTH_URL: string = import.meta.env.VITE_AUTH_URL ?? "http://127.0.0.1:3000";
export const API_URL: string = import.meta.env.VITE_API_URL ?? "http://127.0.0.1:8000";
