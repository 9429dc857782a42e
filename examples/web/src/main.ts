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
import { authClient, forgetJwt, whenSecondFactorIsAsked } from "./auth.js";
import { createClient, listClients, renderClients, showSecret } from "./clients.js";
import { readable } from "./messages.js";
import { askForSecondFactor, initTwoFactor, renderTwoFactor, showStepUp } from "./two-factor.js";

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

const noticeBox = $<HTMLParagraphElement>("notice");
function notice(text: string): void {
  noticeBox.textContent = text;
  noticeBox.hidden = false;
}

/** The reset link's token (the auth server redirects here with `?token=`), or null. */
const resetToken = new URLSearchParams(location.search).get("token");
$("reset").hidden = !resetToken;

async function renderAccount(emailVerified: boolean, currentToken: string | undefined): Promise<void> {
  $("account").querySelector("[data-testid=verified]")!.textContent = emailVerified
    ? "Email address confirmed."
    : "Email address not confirmed yet: see the mail we sent.";
  const { data } = await authClient.listSessions();
  $("sessions").replaceChildren(
    ...(data ?? []).map((session) => {
      const item = document.createElement("li");
      item.dataset.testid = "session";
      const current = session.token === currentToken;
      const label = document.createElement("span");
      label.textContent = `${current ? "This browser" : (session.userAgent ?? "Another session")} · since ${new Date(session.createdAt).toLocaleString()}`;
      item.append(label);
      if (!current) {
        const revoke = document.createElement("button");
        revoke.type = "button";
        revoke.className = "secondary";
        revoke.textContent = "Revoke";
        revoke.addEventListener("click", () => run(() => authClient.revokeSession({ token: session.token })));
        item.append(revoke);
      }
      return item;
    }),
  );
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
  const twoFactorOn = Boolean((data?.user as { twoFactorEnabled?: boolean } | undefined)?.twoFactorEnabled);
  if (signedIn) {
    await renderAccount(Boolean(data?.user.emailVerified), data?.session.token);
    renderTwoFactor(twoFactorOn);
  }
  if (!signedIn) {
    renderTasks([]);
    $("admin").hidden = true;
    showStepUp(false, false);
    return;
  }
  const [tasks, me] = await Promise.all([listTasks(), getMe()]);
  renderTasks(tasks);
  // The API decides what an admin may do; the page only hides what it would refuse.
  const isAdmin = me.roles.includes("admin");
  $("admin").hidden = !isAdmin;
  if (isAdmin) await refreshAdmin(twoFactorOn);
  else showStepUp(twoFactorOn, false);
}

/** The admin view; under MFA_REQUIRED_ROLES the API asks a password-only admin to step up first. */
async function refreshAdmin(twoFactorOn: boolean): Promise<void> {
  try {
    const [all, users] = await Promise.all([listAllTasks(), listUsers()]);
    // The auth server's admin operations ask the same step-up; past the API's, they answer.
    const clients = await listClients();
    renderAdmin(all, users);
    renderClients(clients, run);
    showStepUp(twoFactorOn, false);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === "insufficient_user_authentication")) throw error;
    $("admin").hidden = true;
    showStepUp(twoFactorOn);
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
    // callbackURL: the verification link brings the user back here, signed in.
    const { data, error } = await authClient.signUp.email({ name, email, password, callbackURL: location.origin });
    if (error) throw new Error(error.message ?? "Sign-up failed");
    if (!data?.token) notice("Check your inbox: open the link we sent to confirm your email, then you are signed in.");
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

$<HTMLFormElement>("forgot").addEventListener("submit", (event) => {
  event.preventDefault();
  const { email = "" } = formValues(event.target as HTMLFormElement);
  void run(async () => {
    const { error } = await authClient.requestPasswordReset({ email, redirectTo: location.origin });
    if (error) throw new Error(error.message ?? "The reset request failed");
    notice("If that email has an account, a reset link is on its way.");
  });
});

$<HTMLFormElement>("reset-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const { password = "" } = formValues(event.target as HTMLFormElement);
  void run(async () => {
    const { error } = await authClient.resetPassword({ newPassword: password, token: resetToken ?? "" });
    if (error) throw new Error(error.message ?? "The reset failed");
    history.replaceState(null, "", location.pathname);
    $("reset").hidden = true;
    notice("Password changed: every session was signed out. Sign in with the new password.");
  });
});

$<HTMLFormElement>("change-password").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const { current = "", next = "" } = formValues(form);
  void run(async () => {
    const { error } = await authClient.changePassword({
      currentPassword: current,
      newPassword: next,
      revokeOtherSessions: true,
    });
    if (error) throw new Error(error.message ?? "The password change failed");
    form.reset();
    forgetJwt();
    notice("Password changed: your other sessions were signed out.");
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

$<HTMLFormElement>("client-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const data = new FormData(form);
  const scope = data.getAll("scope").map(String).join(" ");
  void run(async () => {
    showSecret(await createClient(String(data.get("name") ?? ""), scope));
    form.reset();
  });
});

$<HTMLButtonElement>("sign-out").addEventListener("click", () => {
  void run(async () => {
    await authClient.signOut();
    forgetJwt();
  });
});

initTwoFactor({ run, notice });
whenSecondFactorIsAsked(askForSecondFactor);

void run(async () => {});
