import SwitchyardAccounts
import SwitchyardTesting
import Testing

@Suite struct LocalAccountantTests {
    @Test func passesTheAccountantConformanceSuite() async throws {
        try await AccountantConformance.run { keys in
            let local = LocalAccountant()
            local.refresh(keys, generation: local.generation)
            for key in keys { local.refreshBudget(keyID: key.id, budget: key.budget, storedSpend: .zero, generation: local.generation) }
            return local
        }
    }
}
