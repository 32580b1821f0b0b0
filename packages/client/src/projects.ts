import { type CreateProjectRequest, type Project, type ProjectPolicy, type PutProjectPolicyRequest, routes } from "@keyward/contract";
import type { z } from "zod";
import { type Page, PagedList } from "./paged-list";
import type { RequestOptions, Transport } from "./transport";

export type ProjectListQuery = Partial<z.output<typeof routes.listProjects.query>>;

/** Projects: the tenant namespaces keys, scopes and tokens live in. */
export class Projects {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  async create(params: CreateProjectRequest, options?: RequestOptions): Promise<Project> {
    return (await this.#transport.call(routes.createProject, { body: params }, options)).data;
  }

  /** Every project, fetched page by page as you iterate. */
  list(query: ProjectListQuery = {}, options?: RequestOptions): PagedList<Project> {
    return new PagedList((cursor) => this.page({ ...query, ...(cursor ? { cursor } : {}) }, options));
  }

  async page(query: ProjectListQuery = {}, options?: RequestOptions): Promise<Page<Project>> {
    return (await this.#transport.call(routes.listProjects, { query }, options)).data;
  }

  async get(name: string, options?: RequestOptions): Promise<Project> {
    return (await this.#transport.call(routes.getProject, { params: { project: name } }, options)).data;
  }

  /** Erases the project with its keys, scopes, tokens and usage; the audit log keeps a tombstone. */
  async delete(name: string, options?: RequestOptions): Promise<void> {
    await this.#transport.call(routes.deleteProject, { params: { project: name } }, options);
  }

  /** The project's key policy per environment (SPEC §18): the rules its keys must keep, and the exposure response. */
  async getPolicy(name: string, options?: RequestOptions): Promise<ProjectPolicy> {
    return (await this.#transport.call(routes.getProjectPolicy, { params: { project: name } }, options)).data;
  }

  /** Replaces the policy of the environments given; an omitted environment keeps its policy. Check a key against one with `policyViolations`. */
  async putPolicy(name: string, params: z.input<typeof PutProjectPolicyRequest>, options?: RequestOptions): Promise<ProjectPolicy> {
    return (await this.#transport.call(routes.putProjectPolicy, { params: { project: name }, body: params }, options)).data;
  }
}
