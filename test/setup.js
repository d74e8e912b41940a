// Registers cdktf's jest matchers (toHaveResource, toBeValidTerraform, ...).
require("cdktf").Testing.setupJest();
