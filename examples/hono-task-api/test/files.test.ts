/** The twin's SQLite data is its users' tasks: a folder it creates is 0700, the files 0600. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteTaskStore } from "../src/store/index.js";

const mode = (target: string) => fs.statSync(target).mode & 0o777;

describe("the SQLite store's files", () => {
  it("creates its folder 0700 and the database (and -wal, -shm) 0600 on first start", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-files-"));
    const file = path.join(root, "data", "tasks-ts.sqlite");
    const store = new SqliteTaskStore(file);
    await store.create("alice", { title: "written" });
    expect(mode(path.dirname(file))).toBe(0o700);
    for (const target of [file, `${file}-wal`, `${file}-shm`]) expect(mode(target), target).toBe(0o600);
    await store.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("takes group and other permissions from a database an older version left readable", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "authbridge-files-"));
    const file = path.join(root, "tasks-ts.sqlite");
    fs.writeFileSync(file, "");
    fs.chmodSync(file, 0o644);
    fs.chmodSync(root, 0o755);
    const store = new SqliteTaskStore(file);
    expect(mode(file)).toBe(0o600);
    // A folder that already existed (the working directory, perhaps) is left alone.
    expect(mode(root)).toBe(0o755);
    await store.close();
    fs.rmSync(root, { recursive: true, force: true });
  });
});
