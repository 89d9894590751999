/*
 * unsupported.c -- entry points Clang may call that libws-omp does not
 * implement yet.  Each ends the program with one line naming it (exit
 * status 2) rather than letting it compute something wrong, or fail at
 * load time with the dynamic linker's less helpful message.
 */
#include "wso.h"

#define UNSUPPORTED(name)                                                      \
  WSO_EXPORT void name(void);                                                  \
  void name(void) { wso_unsupported(#name); }

/* teams, distribute and target. */
UNSUPPORTED(__kmpc_fork_teams)
UNSUPPORTED(__kmpc_push_num_teams)
UNSUPPORTED(__kmpc_push_num_teams_51)
UNSUPPORTED(__kmpc_set_thread_limit)
UNSUPPORTED(__kmpc_dist_for_static_init_4)
UNSUPPORTED(__kmpc_dist_for_static_init_4u)
UNSUPPORTED(__kmpc_dist_for_static_init_8)
UNSUPPORTED(__kmpc_dist_for_static_init_8u)
UNSUPPORTED(__kmpc_dist_dispatch_init_4)
UNSUPPORTED(__kmpc_dist_dispatch_init_4u)
UNSUPPORTED(__kmpc_dist_dispatch_init_8)
UNSUPPORTED(__kmpc_dist_dispatch_init_8u)
UNSUPPORTED(__kmpc_team_static_init_4)
UNSUPPORTED(__kmpc_team_static_init_4u)
UNSUPPORTED(__kmpc_team_static_init_8)
UNSUPPORTED(__kmpc_team_static_init_8u)
UNSUPPORTED(__kmpc_omp_target_task_alloc)
/* doacross loops: ordered(n) with depend(sink/source). */
UNSUPPORTED(__kmpc_doacross_init)
UNSUPPORTED(__kmpc_doacross_wait)
UNSUPPORTED(__kmpc_doacross_post)
UNSUPPORTED(__kmpc_doacross_fini)
/* Task reductions with the task modifier: reduction(task, op: x) on a
 * parallel or worksharing construct. */
UNSUPPORTED(__kmpc_task_reduction_modifier_init)
UNSUPPORTED(__kmpc_taskred_modifier_init)
UNSUPPORTED(__kmpc_task_reduction_modifier_fini)
/* detach and proxy tasks. */
UNSUPPORTED(__kmpc_task_allow_completion_event)
UNSUPPORTED(omp_fulfill_event)
UNSUPPORTED(__kmpc_proxy_task_completed)
UNSUPPORTED(__kmpc_proxy_task_completed_ooo)
/* threadprivate of C++ objects with constructors (registration). */
UNSUPPORTED(__kmpc_threadprivate_register)
UNSUPPORTED(__kmpc_threadprivate_register_vec)
/* sections (Clang lowers them to a static loop; other compilers). */
UNSUPPORTED(__kmpc_sections_init)
UNSUPPORTED(__kmpc_next_section)
UNSUPPORTED(__kmpc_end_sections)
/* Memory allocators. */
UNSUPPORTED(__kmpc_alloc)
UNSUPPORTED(__kmpc_aligned_alloc)
UNSUPPORTED(__kmpc_calloc)
UNSUPPORTED(__kmpc_realloc)
UNSUPPORTED(__kmpc_free)
UNSUPPORTED(__kmpc_init_allocator)
UNSUPPORTED(__kmpc_destroy_allocator)
UNSUPPORTED(omp_alloc)
UNSUPPORTED(omp_aligned_alloc)
UNSUPPORTED(omp_calloc)
UNSUPPORTED(omp_aligned_calloc)
UNSUPPORTED(omp_realloc)
UNSUPPORTED(omp_free)
UNSUPPORTED(omp_init_allocator)
UNSUPPORTED(omp_destroy_allocator)
UNSUPPORTED(omp_set_default_allocator)
UNSUPPORTED(omp_get_default_allocator)
/* Device memory and the rest of the device API. */
UNSUPPORTED(omp_target_alloc)
UNSUPPORTED(omp_target_free)
UNSUPPORTED(omp_target_is_present)
UNSUPPORTED(omp_target_memcpy)
UNSUPPORTED(omp_target_memcpy_rect)
UNSUPPORTED(omp_target_associate_ptr)
UNSUPPORTED(omp_target_disassociate_ptr)
/* Miscellaneous. */
UNSUPPORTED(omp_pause_resource)
UNSUPPORTED(omp_pause_resource_all)
UNSUPPORTED(omp_get_place_num_procs)
UNSUPPORTED(omp_get_place_proc_ids)
UNSUPPORTED(omp_get_partition_place_nums)
UNSUPPORTED(omp_set_affinity_format)
UNSUPPORTED(omp_get_affinity_format)
UNSUPPORTED(omp_display_affinity)
UNSUPPORTED(omp_capture_affinity)
UNSUPPORTED(omp_control_tool)
UNSUPPORTED(omp_display_env)
UNSUPPORTED(__kmpc_omp_task_parts)
UNSUPPORTED(__kmpc_copyprivate_light)
UNSUPPORTED(__kmpc_barrier_master)
UNSUPPORTED(__kmpc_end_barrier_master)
UNSUPPORTED(__kmpc_barrier_master_nowait)
/* The rest of libomp's C entry points: Clang 19 does not emit them for the
 * subset above (newer or other compilers' loop and thread-count forms,
 * the lock entry points of Intel's compiler, tools' task queries, interop
 * objects).  Defined so that a binary run with libws-omp preloaded stops
 * here with one line instead of calling libomp's copy behind our back. */
UNSUPPORTED(__kmpc_for_collapsed_init)
UNSUPPORTED(__kmpc_calc_original_ivs_rectang)
UNSUPPORTED(__kmpc_process_loop_nest_rectang)
UNSUPPORTED(__kmpc_push_num_threads_list)
UNSUPPORTED(__kmpc_push_num_threads_list_strict)
UNSUPPORTED(__kmpc_push_num_threads_strict)
UNSUPPORTED(__kmpc_init_lock)
UNSUPPORTED(__kmpc_init_lock_with_hint)
UNSUPPORTED(__kmpc_init_nest_lock)
UNSUPPORTED(__kmpc_init_nest_lock_with_hint)
UNSUPPORTED(__kmpc_destroy_lock)
UNSUPPORTED(__kmpc_destroy_nest_lock)
UNSUPPORTED(__kmpc_set_lock)
UNSUPPORTED(__kmpc_set_nest_lock)
UNSUPPORTED(__kmpc_unset_lock)
UNSUPPORTED(__kmpc_unset_nest_lock)
UNSUPPORTED(__kmpc_test_lock)
UNSUPPORTED(__kmpc_test_nest_lock)
UNSUPPORTED(__kmpc_get_taskid)
UNSUPPORTED(__kmpc_get_parent_taskid)
UNSUPPORTED(__kmpc_invoke_task_func)
UNSUPPORTED(__kmpc_omp_has_task_team)
UNSUPPORTED(__kmpc_task_get_depnode)
UNSUPPORTED(__kmpc_task_get_successors)
UNSUPPORTED(__kmpc_pause_resource)
UNSUPPORTED(__kmpc_get_default_allocator)
UNSUPPORTED(__kmpc_set_default_allocator)
UNSUPPORTED(__kmpc_get_target_offload)
UNSUPPORTED(__kmpc_omp_get_target_async_handle_ptr)
UNSUPPORTED(omp_get_num_interop_properties)
UNSUPPORTED(omp_get_interop_int)
UNSUPPORTED(omp_get_interop_ptr)
UNSUPPORTED(omp_get_interop_str)
UNSUPPORTED(omp_get_interop_name)
UNSUPPORTED(omp_get_interop_type_desc)
UNSUPPORTED(omp_get_interop_rc_desc)
