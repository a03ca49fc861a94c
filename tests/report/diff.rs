// Diff tests on hand-made revisions of the fixture policy.
