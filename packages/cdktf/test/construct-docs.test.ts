import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, test } from "vitest";

// Issue 4, acceptance 4: JSDoc on every exported member of the construct library, `@default` on every
// optional prop (the AWS CDK design guidelines of STYLE.md).
const constructsDir = fileURLToPath(new URL("../src/constructs", import.meta.url));

function hasJsDoc(node: ts.Node): boolean {
  return ts.getJSDocCommentsAndTags(node).length > 0;
}

function hasDefaultTag(node: ts.Node): boolean {
  return ts.getJSDocTags(node).some((tag) => tag.tagName.text === "default");
}

function isPublic(member: ts.ClassElement): boolean {
  const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
  if (member.name && ts.isPrivateIdentifier(member.name)) return false;
  return !modifiers.some((modifier) => modifier.kind === ts.SyntaxKind.PrivateKeyword || modifier.kind === ts.SyntaxKind.ProtectedKeyword);
}

function isExported(statement: ts.Statement): boolean {
  const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : [];
  return modifiers.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
}

/** Every exported declaration and public member without JSDoc, and every optional prop without `@default`. */
function undocumented(file: string, source: ts.SourceFile): string[] {
  const problems: string[] = [];
  const name = (node: ts.Node & { name?: ts.Node }) => (node.name ? node.name.getText(source) : "constructor");
  for (const statement of source.statements.filter(isExported)) {
    const declaration = statement as ts.Statement & { name?: ts.Identifier };
    const owner = `${file}: ${declaration.name?.text ?? "export"}`;
    if (!hasJsDoc(statement)) problems.push(`${owner} has no JSDoc`);
    if (ts.isClassDeclaration(statement)) {
      for (const member of statement.members.filter(isPublic)) {
        if (!hasJsDoc(member)) problems.push(`${owner}.${name(member)} has no JSDoc`);
      }
    }
    if (ts.isInterfaceDeclaration(statement)) {
      for (const member of statement.members) {
        if (!hasJsDoc(member)) problems.push(`${owner}.${name(member)} has no JSDoc`);
        else if (member.questionToken && !hasDefaultTag(member)) problems.push(`${owner}.${name(member)} is optional without @default`);
      }
    }
  }
  return problems;
}

describe("construct library documentation", () => {
  test("every exported declaration and public member has JSDoc, every optional prop a @default", async () => {
    const files = (await readdir(constructsDir)).filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"));
    expect(files).toContain("keyward-project.ts");
    const problems = [];
    for (const file of files) {
      const text = ts.sys.readFile(join(constructsDir, file)) ?? "";
      problems.push(...undocumented(file, ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true)));
    }
    expect(problems).toEqual([]);
  });

  test("the check notices a missing JSDoc and a missing @default", () => {
    const source = ts.createSourceFile(
      "sample.ts",
      ["/** A. */", "export interface A {", "  /** x. */", "  readonly x?: string;", "  readonly y: string;", "}", "/** B. */", "export class B {", "  get z() { return 1; }", "}"].join("\n"),
      ts.ScriptTarget.ES2022,
      true,
    );
    expect(undocumented("sample.ts", source)).toEqual([
      "sample.ts: A.x is optional without @default",
      "sample.ts: A.y has no JSDoc",
      "sample.ts: B.z has no JSDoc",
    ]);
  });
});
