/**
 * `xray completion bash|zsh`: a completion script made from the registered commands, so it
 * can never name a command or option that does not exist. zsh runs the bash function through
 * bashcompinit, as many CLIs do.
 */
import type { Command } from "commander";
import { UsageError } from "../errors";
import type { CommandOutput } from "./output";

const optionWords = (c: Command) => c.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)));

/** Each command path ("", "ipfs", "ipfs add") with the words that may follow it. */
function wordTable(root: Command): [string, string[]][] {
  const rows: [string, string[]][] = [];
  const walk = (c: Command, path: string, inherited: string[]) => {
    const globals = [...inherited, ...optionWords(c)];
    rows.push([path, [...c.commands.map((s) => s.name()), ...(path ? optionWords(c) : []), ...globals.filter((g) => !path || !optionWords(c).includes(g)), "--help"]]);
    for (const sub of c.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name(), globals);
  };
  walk(root, "", []);
  return rows.map(([p, words]) => [p, [...new Set(words)]]);
}

export function bashScript(root: Command): string {
  const groups = root.commands.filter((c) => c.commands.length).map((c) => c.name());
  const cases = wordTable(root)
    .map(([p, words]) => `    "${p}") words="${words.join(" ")}" ;;`)
    .join("\n");
  return `# xray completion for bash: source <(xray completion bash), or save it in
# ~/.local/share/bash-completion/completions/xray
_xray() {
  local cur=\${COMP_WORDS[COMP_CWORD]} path="" w i words=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    [[ $w == -* ]] && continue
    case "$path" in
      "") path=$w ;;
      ${groups.join("|")}) path="$path $w" ;;
    esac
  done
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  [[ \${#COMPREPLY[@]} -eq 0 && $cur != -* ]] && COMPREPLY=($(compgen -f -- "$cur"))
  return 0
}
complete -o filenames -F _xray xray
`;
}

export function run(root: Command, shell: string): CommandOutput {
  const bash = bashScript(root);
  if (shell === "bash") return { json: { shell, script: bash }, text: bash.trimEnd() };
  if (shell === "zsh") {
    const zsh = `# xray completion for zsh: source <(xray completion zsh) in ~/.zshrc\nautoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n${bash}`;
    return { json: { shell, script: zsh }, text: zsh.trimEnd() };
  }
  throw new UsageError(`no completion for "${shell}": bash or zsh`);
}
