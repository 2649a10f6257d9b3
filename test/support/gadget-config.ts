/** A config with kinds the e2e tests use: a namespaced kind with printer columns and status, a cluster-scoped kind in another group. */
export const E2E_CONFIG = `
resources:
  - group: fleet.example.net
    names: {kind: Gadget, plural: gadgets, singular: gadget, shortNames: [gd], categories: [fleet]}
    scope: Namespaced
    versions:
      - name: v1
        served: true
        storage: true
        schema:
          openAPIV3Schema:
            type: object
            description: A Gadget is a thing the fleet team offers.
            properties:
              spec:
                type: object
                description: What the user wants.
                properties:
                  size: {type: integer, description: How many units to run.}
                  color: {type: string, description: The colour of the gadget.}
                  tags:
                    type: array
                    items: {type: string}
              status:
                type: object
                properties:
                  phase: {type: string}
                  conditions:
                    type: array
                    items:
                      type: object
                      properties:
                        type: {type: string}
                        status: {type: string}
        additionalPrinterColumns:
          - {name: Size, type: integer, jsonPath: .spec.size}
          - {name: Color, type: string, jsonPath: .spec.color, priority: 1}
          - {name: Phase, type: string, jsonPath: .status.phase}
        subresources: {status: {}}
  - group: infra.example.org
    names: {kind: Zone, plural: zones, singular: zone}
    scope: Cluster
    versions:
      - name: v1beta1
        served: true
        storage: true
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec:
                type: object
                properties:
                  region: {type: string, description: Where the zone is.}
        additionalPrinterColumns:
          - {name: Region, type: string, jsonPath: .spec.region}
`;

export function gadget(name: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion: 'fleet.example.net/v1', kind: 'Gadget', metadata: { name, ...extra }, spec });
}
