/**
 * Task storage on PostgreSQL (node-postgres pool). Timestamps are kept as ISO text, as on
 * SQLite, so both stores return byte-identical tasks; a serial column breaks ties between
 * tasks created in the same millisecond. A statement that runs past `statementTimeoutMs` or a
 * pool wait past `connectionTimeoutMs` rejects, and the app answers 503 `busy`.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
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

const COLUMNS = "id, user_id, title, description, completed, created_at, updated_at";

export interface PostgresStoreOptions {
  /** Connections this process may hold. @default 10 */
  max?: number;
  /** Longest wait for a pooled connection, ms. @default 10000 */
  connectionTimeoutMs?: number;
  /** PostgreSQL `statement_timeout`, ms. @default 10000 */
  statementTimeoutMs?: number;
}

export class PostgresTaskStore implements TaskStore {
  private readonly pool: pg.Pool;
  private ready: Promise<void> | undefined;

  constructor(url: string, options: PostgresStoreOptions = {}) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      statement_timeout: options.statementTimeoutMs ?? 10_000,
    });
    // An idle client that loses its server must not crash the process.
    this.pool.on("error", () => {});
  }

  /** Creates the table once; every query waits for it. */
  private migrate(): Promise<void> {
    this.ready ??= this.pool
      .query(
        `create table if not exists task (
          seq bigserial unique,
          id text primary key,
          user_id text not null,
          title text not null,
          description text,
          completed boolean not null default false,
          created_at text not null,
          updated_at text not null
        );
        create index if not exists task_user_created on task (user_id, created_at, seq);`,
      )
      .then(() => undefined);
    return this.ready;
  }

  private async rows<Row extends object = Task>(sql: string, values: unknown[]): Promise<Row[]> {
    try {
      await this.migrate();
      return (await this.pool.query<Row>(sql, values)).rows;
    } catch (error) {
      // 57014: statement_timeout; 55P03: lock timeout; the pool's own wait has no code.
      const code = (error as { code?: string }).code;
      const poolWait = error instanceof Error && /timeout exceeded when trying to connect/i.test(error.message);
      if (code === "57014" || code === "55P03" || poolWait) throw new StoreBusyError({ cause: error });
      throw error;
    }
  }

  async list(owner: string, query: ListQuery): Promise<Task[]> {
    const filter = query.completed === undefined ? "" : "and completed = $4";
    const values: unknown[] = [owner, query.limit, query.offset];
    if (query.completed !== undefined) values.push(query.completed);
    return this.rows(
      `select ${COLUMNS} from task where user_id = $1 ${filter} order by created_at, seq limit $2 offset $3`,
      values,
    );
  }

  async listAll(query: AdminListQuery): Promise<Task[]> {
    const values: unknown[] = [query.limit, query.offset];
    const filters: string[] = [];
    if (query.owner !== undefined) filters.push(`user_id = $${values.push(query.owner)}`);
    if (query.completed !== undefined) filters.push(`completed = $${values.push(query.completed)}`);
    const where = filters.length > 0 ? `where ${filters.join(" and ")}` : "";
    return this.rows(`select ${COLUMNS} from task ${where} order by created_at, seq limit $1 offset $2`, values);
  }

  async countByUser(page: { limit: number; offset: number }): Promise<UserTaskCount[]> {
    // Byte order ("C"), as SQLite and python-backend sort ids, whatever the database's collation.
    return this.rows<UserTaskCount>(
      `select user_id, count(*)::int as task_count from task group by user_id order by user_id collate "C" limit $1 offset $2`,
      [page.limit, page.offset],
    );
  }

  async get(id: string): Promise<Task | undefined> {
    return (await this.rows(`select ${COLUMNS} from task where id = $1`, [id]))[0];
  }

  async create(owner: string, body: TaskCreate): Promise<Task> {
    const task = newTask(owner, body, randomUUID());
    await this.rows(`insert into task (${COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7)`, [
      task.id,
      task.user_id,
      task.title,
      task.description,
      task.completed,
      task.created_at,
      task.updated_at,
    ]);
    return task;
  }

  async update(task: Task, changes: TaskUpdate): Promise<Task> {
    const updated: Task = { ...task, ...changes, updated_at: new Date().toISOString() };
    await this.rows("update task set title = $2, description = $3, completed = $4, updated_at = $5 where id = $1", [
      updated.id,
      updated.title,
      updated.description,
      updated.completed,
      updated.updated_at,
    ]);
    return updated;
  }

  async delete(id: string): Promise<void> {
    await this.rows("delete from task where id = $1", [id]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
