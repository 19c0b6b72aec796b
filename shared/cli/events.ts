// Reading sample event files for the command line: one JSON event or a JSON array per file.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Thrown for a file the command line cannot use at all (missing, not JSON). Exit code 2. */
export class InputFileError extends Error {
  readonly code = 'INVALID_INPUT';
}

export async function readEventFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputFileError(`${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputFileError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
}

/** The .json files named: files as given, directories' direct .json children sorted by name. */
export async function listEventFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new InputFileError(`${path}: no such file or directory`);
    }
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const names = (await readdir(path)).filter((name) => name.endsWith('.json')).sort();
    files.push(...names.map((name) => join(path, name)));
  }
  return files;
}
