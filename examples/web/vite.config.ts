import { defineConfig } from "vite";

// VITE_AUTH_URL and VITE_API_URL come from the environment (`npm start` sets them).
export default defineConfig({
  server: { host: "127.0.0.1", port: 5173, strictPort: true },
  preview: { host: "127.0.0.1", port: 5173, strictPort: true },
});
