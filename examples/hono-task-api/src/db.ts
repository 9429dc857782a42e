/**
 * Task storage on SQLite. Every query takes the owner from the verified `sub`; insertion order
 * (rowid) breaks ties between tasks created in the same millisecond.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { TaskCreate, TaskUpdate } from "./schemas.js";

export interface Task {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: string;
  updated_at: string;
}

interface Row extends Omit<Task, "completed"> {
  completed: 0 | 1;
}

const toTask = (row: Row): Task => ({ ...row, completed: row.completed === 1 });

export interface ListQuery {
  completed: boolean | undefined;
  limit: number;
  offset: number;
}

export class TaskStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("busy_timeout = 5000");
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

  list(owner: string, query: ListQuery): Task[] {
    const filter = query.completed === undefined ? "" : "and completed = @completed";
    const rows = this.db
      .prepare(
        `select * from task where user_id = @owner ${filter} order by created_at, rowid limit @limit offset @offset`,
      )
      .all({ owner, completed: query.completed ? 1 : 0, limit: query.limit, offset: query.offset }) as Row[];
    return rows.map(toTask);
  }

  get(id: string): Task | undefined {
    const row = this.db.prepare("select * from task where id = ?").get(id) as Row | undefined;
    return row && toTask(row);
  }

  create(owner: string, body: TaskCreate): Task {
    const now = new Date().toISOString();
    const task: Task = {
      id: randomUUID(),
      user_id: owner,
      title: body.title,
      description: body.description ?? null,
      completed: body.completed ?? false,
      created_at: now,
      updated_at: now,
    };
    this.db
      .prepare(
        "insert into task (id, user_id, title, description, completed, created_at, updated_at) values (@id, @user_id, @title, @description, @completed, @created_at, @updated_at)",
      )
      .run({ ...task, completed: task.completed ? 1 : 0 });
    return task;
  }

  update(task: Task, changes: TaskUpdate): Task {
    const updated: Task = { ...task, ...changes, updated_at: new Date().toISOString() };
    this.db
      .prepare(
        "update task set title = @title, description = @description, completed = @completed, updated_at = @updated_at where id = @id",
      )
      .run({ ...updated, completed: updated.completed ? 1 : 0 });
    return updated;
  }

  delete(id: string): void {
    this.db.prepare("delete from task where id = ?").run(id);
  }

  close(): void {
    this.db.close();
  }
}
