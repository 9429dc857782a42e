/**
 * Task storage on SQLite (better-sqlite3, synchronous: one statement at a time, so concurrent
 * requests never contend for the write lock inside one process). Insertion order (rowid) breaks
 * ties between tasks created in the same millisecond.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { TaskCreate, TaskUpdate } from "../schemas.js";
import {
  type AdminListQuery,
  type ListQuery,
  newTask,
  StoreBusyError,
  type Task,
  type TaskStore,
  type UserTaskCount,
} from "./types.js";

interface Row extends Omit<Task, "completed"> {
  completed: 0 | 1;
}

const toTask = (row: Row): Task => ({ ...row, completed: row.completed === 1 });

/** Another process held the write lock past busy_timeout: the API answers 503 `busy`. */
function busy<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") throw new StoreBusyError({ cause: error });
    throw error;
  }
}

/**
 * The tasks are the users' data: a folder this creates is 0700, the database 0600 from its first
 * byte (SQLite's `-wal` and `-shm` take the database's mode), as the auth server does. An existing
 * folder is left as it is (it may be the working directory); existing files lose group and other
 * permissions.
 */
function privateSqliteFile(file: string): void {
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, "a", 0o600));
  for (const target of [file, `${file}-wal`, `${file}-shm`]) {
    if (!fs.existsSync(target)) continue;
    const mode = fs.statSync(target).mode & 0o777;
    if (mode & 0o077) fs.chmodSync(target, mode & 0o700);
  }
}

export class SqliteTaskStore implements TaskStore {
  private readonly db: Database.Database;

  /** `busyTimeoutMs`: longest wait for the write lock (`TASKS_DB_BUSY_TIMEOUT_SECONDS`). @default 5000 */
  constructor(file: string, options: { busyTimeoutMs?: number } = {}) {
    if (file !== ":memory:") privateSqliteFile(file);
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma(`busy_timeout = ${Math.round(options.busyTimeoutMs ?? 5000)}`);
    this.db.exec(`create table if not exists task (
      id text primary key,
      user_id text not null,
      title text not null,
      description text,
      completed integer not null default 0,
      created_at text not null,
      updated_at text not null
    );
    create index if not exists task_user_created on task (user_id, created_at);`);
  }

  async list(owner: string, query: ListQuery): Promise<Task[]> {
    const filter = query.completed === undefined ? "" : "and completed = @completed";
    const rows = busy(
      () =>
        this.db
          .prepare(
            `select * from task where user_id = @owner ${filter} order by created_at, rowid limit @limit offset @offset`,
          )
          .all({ owner, completed: query.completed ? 1 : 0, limit: query.limit, offset: query.offset }) as Row[],
    );
    return rows.map(toTask);
  }

  async listAll(query: AdminListQuery): Promise<Task[]> {
    const filters = [
      query.owner === undefined ? "" : "user_id = @owner",
      query.completed === undefined ? "" : "completed = @completed",
    ].filter(Boolean);
    const where = filters.length > 0 ? `where ${filters.join(" and ")}` : "";
    const rows = busy(
      () =>
        this.db.prepare(`select * from task ${where} order by created_at, rowid limit @limit offset @offset`).all({
          owner: query.owner,
          completed: query.completed ? 1 : 0,
          limit: query.limit,
          offset: query.offset,
        }) as Row[],
    );
    return rows.map(toTask);
  }

  async countByUser(page: { limit: number; offset: number }): Promise<UserTaskCount[]> {
    return busy(
      () =>
        this.db
          .prepare(
            "select user_id, count(*) as task_count from task group by user_id order by user_id limit @limit offset @offset",
          )
          .all(page) as UserTaskCount[],
    );
  }

  async get(id: string): Promise<Task | undefined> {
    const row = busy(() => this.db.prepare("select * from task where id = ?").get(id) as Row | undefined);
    return row && toTask(row);
  }

  async create(owner: string, body: TaskCreate): Promise<Task> {
    const task = newTask(owner, body, randomUUID());
    busy(() =>
      this.db
        .prepare(
          "insert into task (id, user_id, title, description, completed, created_at, updated_at) values (@id, @user_id, @title, @description, @completed, @created_at, @updated_at)",
        )
        .run({ ...task, completed: task.completed ? 1 : 0 }),
    );
    return task;
  }

  async update(task: Task, changes: TaskUpdate): Promise<Task> {
    const updated: Task = { ...task, ...changes, updated_at: new Date().toISOString() };
    busy(() =>
      this.db
        .prepare(
          "update task set title = @title, description = @description, completed = @completed, updated_at = @updated_at where id = @id",
        )
        .run({ ...updated, completed: updated.completed ? 1 : 0 }),
    );
    return updated;
  }

  async delete(id: string): Promise<void> {
    busy(() => this.db.prepare("delete from task where id = ?").run(id));
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
