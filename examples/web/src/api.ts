/** The task API, called with `Authorization: Bearer <JWT>`; one retry with a fresh JWT on 401. */
import { getJwt } from "./auth.js";
import { API_URL } from "./config.js";

export interface Task {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(detail);
  }
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const send = async (token: string | undefined) =>
    fetch(`${API_URL}${path}`, {
      ...init,
      headers: {
        ...(init.body ? { "content-type": "application/json" } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
  let res = await send(await getJwt());
  if (res.status === 401) res = await send(await getJwt(true));
  if (res.status === 204) return undefined as T;
  const body = (await res.json().catch(() => ({}))) as { detail?: unknown; code?: string };
  if (!res.ok) {
    throw new ApiError(res.status, body.code, typeof body.detail === "string" ? body.detail : res.statusText);
  }
  return body as T;
}

export const listTasks = () => call<Task[]>("/api/tasks?limit=100");
export const createTask = (title: string) =>
  call<Task>("/api/tasks", { method: "POST", body: JSON.stringify({ title }) });
export const setCompleted = (id: string, completed: boolean) =>
  call<Task>(`/api/tasks/${id}`, { method: "PATCH", body: JSON.stringify({ completed }) });
export const deleteTask = (id: string) => call<void>(`/api/tasks/${id}`, { method: "DELETE" });

/** Who the API says the caller is, with the roles and permissions of their token. */
export interface Me {
  id: string;
  email: string | null;
  name: string | null;
  roles: string[];
  permissions: string[];
}

export const getMe = () => call<Me>("/api/me");

// Admin routes: the API refuses them (403 insufficient_role) unless the token says admin.
export const listAllTasks = () => call<Task[]>("/api/admin/tasks?limit=100");
export const listUsers = () => call<{ user_id: string; task_count: number }[]>("/api/admin/users?limit=100");
export const deleteAnyTask = (id: string) => call<void>(`/api/admin/tasks/${id}`, { method: "DELETE" });
