/**
 * The page: sign up / sign in, then the caller's tasks from the FastAPI task API, and every
 * user's tasks when the token carries the admin role.
 */
import {
  ApiError,
  createTask,
  deleteAnyTask,
  deleteTask,
  getMe,
  listAllTasks,
  listTasks,
  listUsers,
  setCompleted,
  type Task,
} from "./api.js";
import { authClient, forgetJwt } from "./auth.js";
import { readable } from "./messages.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const errorBox = $<HTMLParagraphElement>("error");

function showError(error: unknown): void {
  errorBox.textContent = readable(error);
  errorBox.hidden = false;
}

function clearError(): void {
  errorBox.hidden = true;
  errorBox.textContent = "";
}

function renderTasks(tasks: Task[]): void {
  const list = $<HTMLUListElement>("tasks");
  list.replaceChildren(
    ...tasks.map((task) => {
      const item = document.createElement("li");
      item.dataset.testid = "task";
      item.className = task.completed ? "done" : "";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = task.completed;
      box.setAttribute("aria-label", `Complete ${task.title}`);
      box.addEventListener("change", () => run(async () => void (await setCompleted(task.id, box.checked))));
      const title = document.createElement("span");
      title.textContent = task.title;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      remove.textContent = "Delete";
      remove.addEventListener("click", () => run(() => deleteTask(task.id)));
      item.append(box, title, remove);
      return item;
    }),
  );
}

function renderAdmin(tasks: Task[], users: { user_id: string; task_count: number }[]): void {
  $("admin-users").replaceChildren(
    ...users.map((user) => {
      const row = document.createElement("tr");
      row.dataset.testid = "admin-user";
      for (const text of [user.user_id, String(user.task_count)]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    }),
  );
  $("admin-tasks").replaceChildren(
    ...tasks.map((task) => {
      const item = document.createElement("li");
      item.dataset.testid = "admin-task";
      const title = document.createElement("span");
      title.textContent = task.title;
      const owner = document.createElement("small");
      owner.textContent = ` (${task.user_id})`;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      remove.textContent = "Delete";
      remove.addEventListener("click", () => run(() => deleteAnyTask(task.id)));
      item.append(title, owner, remove);
      return item;
    }),
  );
}

async function refresh(): Promise<void> {
  const { data } = await authClient.getSession();
  const signedIn = Boolean(data?.user);
  $("signed-in").hidden = !signedIn;
  $("signed-out").hidden = signedIn;
  $("who").textContent = signedIn ? `Signed in as ${data?.user.name} (${data?.user.email})` : "Not signed in";
  if (!signedIn) {
    renderTasks([]);
    $("admin").hidden = true;
    return;
  }
  const [tasks, me] = await Promise.all([listTasks(), getMe()]);
  renderTasks(tasks);
  // The API decides what an admin may do; the page only hides what it would refuse.
  const isAdmin = me.roles.includes("admin");
  $("admin").hidden = !isAdmin;
  if (isAdmin) {
    const [all, users] = await Promise.all([listAllTasks(), listUsers()]);
    renderAdmin(all, users);
  }
}

/** Runs an action, then redraws; contract errors become readable messages. */
async function run(action: () => Promise<unknown>): Promise<void> {
  clearError();
  try {
    await action();
  } catch (error) {
    showError(error);
    if (error instanceof ApiError && error.status === 401) forgetJwt();
  }
  try {
    await refresh();
  } catch (error) {
    showError(error);
  }
}

function formValues(form: HTMLFormElement): Record<string, string> {
  return Object.fromEntries([...new FormData(form).entries()].map(([k, v]) => [k, String(v)]));
}

$<HTMLFormElement>("sign-up").addEventListener("submit", (event) => {
  event.preventDefault();
  const { name = "", email = "", password = "" } = formValues(event.target as HTMLFormElement);
  void run(async () => {
    const { error } = await authClient.signUp.email({ name, email, password });
    if (error) throw new Error(error.message ?? "Sign-up failed");
  });
});

$<HTMLFormElement>("sign-in").addEventListener("submit", (event) => {
  event.preventDefault();
  const { email = "", password = "" } = formValues(event.target as HTMLFormElement);
  void run(async () => {
    const { error } = await authClient.signIn.email({ email, password });
    if (error) throw new Error(error.message ?? "Sign-in failed");
  });
});

$<HTMLFormElement>("new-task").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const { title = "" } = formValues(form);
  void run(async () => {
    await createTask(title);
    form.reset();
  });
});

$<HTMLButtonElement>("sign-out").addEventListener("click", () => {
  void run(async () => {
    await authClient.signOut();
    forgetJwt();
  });
});

void run(async () => {});
