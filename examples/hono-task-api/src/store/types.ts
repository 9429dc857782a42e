/** What the task routes need of a store; SQLite and PostgreSQL implement it alike. */
import type { TaskCreate, TaskUpdate } from "../schemas.js";

export interface Task {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: string;
  updated_at: string;
}

export interface ListQuery {
  completed: boolean | undefined;
  limit: number;
  offset: number;
}

/** A page of every user's tasks, for admins; `owner` narrows it to one user. */
export interface AdminListQuery extends ListQuery {
  owner: string | undefined;
}

export interface UserTaskCount {
  user_id: string;
  task_count: number;
}

/** Every method takes the owner from the verified `sub`, never from a request body. */
export interface TaskStore {
  list(owner: string, query: ListQuery): Promise<Task[]>;
  /** Admins only: every user's tasks, oldest first. */
  listAll(query: AdminListQuery): Promise<Task[]>;
  /** Admins only: the users that have tasks, by id, with how many each has. */
  countByUser(page: { limit: number; offset: number }): Promise<UserTaskCount[]>;
  get(id: string): Promise<Task | undefined>;
  create(owner: string, body: TaskCreate): Promise<Task>;
  update(task: Task, changes: TaskUpdate): Promise<Task>;
  delete(id: string): Promise<void>;
  close(): Promise<void>;
}

export function newTask(owner: string, body: TaskCreate, id: string): Task {
  const now = new Date().toISOString();
  return {
    id,
    user_id: owner,
    title: body.title,
    description: body.description ?? null,
    completed: body.completed ?? false,
    created_at: now,
    updated_at: now,
  };
}

/** The database did not hand out a connection or its lock in time: the API answers 503 `busy`. */
export class StoreBusyError extends Error {
  constructor(options?: { cause?: unknown }) {
    super("The database is busy; retry shortly", options);
    this.name = "StoreBusyError";
  }
}
