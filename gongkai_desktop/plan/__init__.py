"""Plans (任务分工): the bundled 2020 breakdown and any imported later."""
