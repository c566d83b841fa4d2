let goldenPlans = ""
