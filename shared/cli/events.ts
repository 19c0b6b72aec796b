// Reading the files the command line is given: event files (one JSON event or a JSON array
// per file) and directories of them. A file it cannot use is reported in one wording for
// every command: `PATH: cannot read: no such file or directory`.
import { access, constants, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Alert } from '../model/alert';
import { RouterError } from '../model/errors';
import { intakeAlert } from '../normalize';

/** Thrown for a file the command line cannot use at all (missing, not JSON). Exit code 2. */
export class InputFileError extends Error {
  readonly code = 'INVALID_INPUT';
}

function problem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory, not a file';
  return (error as Error).message;
}

/** The one wording of an unreadable file; `hint` says what to do when the path alone does not. */
export function unreadable(path: string, error: unknown, hint = ''): InputFileError {
  return new InputFileError(`${path}: cannot read: ${problem(error)}${hint ? ` (${hint})` : ''}`);
}

/** Refuses, in the shared wording, a file that does not exist or cannot be read. */
export async function checkReadable(path: string, hint?: string): Promise<void> {
  try {
    if ((await stat(path)).isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    await access(path, constants.R_OK);
  } catch (error) {
    throw unreadable(path, error, hint);
  }
}

export async function readEventFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw unreadable(file, error);
  }
  try {
    // A byte order mark (Windows editors write one) is no part of the JSON.
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InputFileError(`${file}: not valid JSON: ${oneLine((error as Error).message)}`);
  }
}

/**
 * The alerts of an event file's value (a batch file holds several), each through the same
 * intake as the handlers (shape limits, then normalize); a refusal names the file, and the
 * event's index in a batch.
 */
export function alertsOfFile(file: string, value: unknown): Alert[] {
  const events = Array.isArray(value) ? value : [value];
  return events.map((event, index) => {
    try {
      return intakeAlert(event);
    } catch (error) {
      if (error instanceof RouterError) error.message = `${file}${Array.isArray(value) ? `[${index}]` : ''}: ${error.message}`;
      throw error;
    }
  });
}

/** An error message on one line (JSON.parse quotes the text around the error, newlines and all). */
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The .json files named: files as given, directories' .json files at any depth, sorted by path. */
export async function listEventFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw unreadable(path, error);
    }
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const found = (await readdir(path, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
      .map((entry) => join(entry.parentPath, entry.name))
      .sort();
    if (found.length === 0) throw new InputFileError(`${path}: no .json event files in this directory`);
    files.push(...found);
  }
  return files;
}
